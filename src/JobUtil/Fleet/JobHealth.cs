namespace JobUtil;

/// <summary>What <see cref="JobHealthPolicy"/> makes of a job; every state but <see cref="Healthy"/> needs attention.</summary>
public enum JobHealthState
{
    /// <summary>Nothing is wrong.</summary>
    Healthy = 0,

    /// <summary>No success within the job's maximum age.</summary>
    Late,

    /// <summary>The job's last finished run ended in error (see <see cref="JobSummary.ConsecutiveFailures"/>).</summary>
    Failing,

    /// <summary>A run has been in progress for longer than the maximum runtime.</summary>
    RunningTooLong,

    /// <summary>A run is in progress but its heartbeat is older than the stale-heartbeat threshold: its process is probably gone.</summary>
    Stale,

    /// <summary>The job has runs, but none of them succeeded.</summary>
    NeverSucceeded,

    /// <summary>A job asked about by name has no runs at all.</summary>
    NeverRan,
}

/// <summary>One job's health: its state, why, and what it was judged from.</summary>
/// <param name="Name">The job's name.</param>
/// <param name="State">The state; when several apply, the most urgent (see <see cref="JobHealthPolicy.Evaluate"/>).</param>
/// <param name="Reason">Why, in one line for people, such as <c>no success for 1d 2h (max age 26h)</c>.</param>
/// <param name="Job">What the state was judged from; <see langword="null"/> for <see cref="JobHealthState.NeverRan"/>.</param>
public sealed record JobHealth(string Name, JobHealthState State, string Reason, JobSummary? Job)
{
    /// <summary>Whether the state is <see cref="JobHealthState.Healthy"/>.</summary>
    public bool IsHealthy => State == JobHealthState.Healthy;
}
