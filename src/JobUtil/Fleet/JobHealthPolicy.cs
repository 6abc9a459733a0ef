using System.Globalization;

namespace JobUtil;

/// <summary>
/// The thresholds a job's health is judged by: how old its last success may be (a default and per job), how long a
/// run may take, and how old a running job's heartbeat may be. A threshold left null is not checked.
/// </summary>
public sealed class JobHealthPolicy
{
    /// <summary>The default of <see cref="StaleHeartbeatAfter"/>: 10 minutes.</summary>
    public static readonly TimeSpan DefaultStaleHeartbeatAfter = TimeSpan.FromMinutes(10);

    private TimeSpan? _defaultMaxAge;
    private TimeSpan? _maxRuntime;
    private TimeSpan? _staleHeartbeatAfter = DefaultStaleHeartbeatAfter;

    /// <summary>How long ago a job may have last succeeded before it is <see cref="JobHealthState.Late"/>, unless <see cref="MaxAges"/> names it; null: not checked.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative.</exception>
    public TimeSpan? DefaultMaxAge
    {
        get => _defaultMaxAge;
        set => _defaultMaxAge = Positive(value, nameof(DefaultMaxAge));
    }

    /// <summary>The maximum age of particular jobs, by name (ordinal), overriding <see cref="DefaultMaxAge"/>.</summary>
    public IDictionary<string, TimeSpan> MaxAges { get; } = new Dictionary<string, TimeSpan>(StringComparer.Ordinal);

    /// <summary>How long a run may be in progress before its job is <see cref="JobHealthState.RunningTooLong"/>; null: not checked.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative.</exception>
    public TimeSpan? MaxRuntime
    {
        get => _maxRuntime;
        set => _maxRuntime = Positive(value, nameof(MaxRuntime));
    }

    /// <summary>
    /// How old the heartbeat of a run in progress may be before its job is <see cref="JobHealthState.Stale"/>
    /// (default 10 minutes); null: not checked. Runs that send no heartbeat are never stale.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative.</exception>
    public TimeSpan? StaleHeartbeatAfter
    {
        get => _staleHeartbeatAfter;
        set => _staleHeartbeatAfter = Positive(value, nameof(StaleHeartbeatAfter));
    }

    /// <summary>The maximum age of job <paramref name="name"/>: its entry in <see cref="MaxAges"/>, else <see cref="DefaultMaxAge"/>.</summary>
    /// <param name="name">The job's name.</param>
    /// <returns>The maximum age, or null when it is not checked.</returns>
    public TimeSpan? MaxAgeFor(string name)
        => name is not null && MaxAges.TryGetValue(name, out var maxAge) ? maxAge : DefaultMaxAge;

    /// <summary>
    /// Judges one job at <paramref name="now"/>. When several states apply, the most urgent wins, in this order:
    /// <see cref="JobHealthState.Stale"/>, <see cref="JobHealthState.RunningTooLong"/>,
    /// <see cref="JobHealthState.NeverSucceeded"/>, <see cref="JobHealthState.Failing"/>, <see cref="JobHealthState.Late"/>.
    /// </summary>
    /// <param name="job">The job, as <see cref="JobFleet.GetJobsAsync"/> read it.</param>
    /// <param name="now">The time to judge ages at.</param>
    /// <returns>The job's health.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="job"/> is null.</exception>
    /// <exception cref="ArgumentException">A value of <see cref="MaxAges"/> is zero or negative.</exception>
    public JobHealth Evaluate(JobSummary job, DateTimeOffset now)
    {
        if (job is null)
        {
            throw new ArgumentNullException(nameof(job));
        }

        var maxAge = MaxAgeFor(job.Name);
        if (maxAge <= TimeSpan.Zero)
        {
            throw new ArgumentException($"The maximum age of job '{job.Name}' must be longer than zero; it is {maxAge}.", nameof(MaxAges));
        }

        if (StaleHeartbeatAfter is { } stale && job.RunsInProgress > 0 && job.StalestHeartbeat is { } heartbeat && now - heartbeat > stale)
        {
            return Health(job, JobHealthState.Stale, $"in progress with no heartbeat for {JobDuration.Format(now - heartbeat)} (since {Time(heartbeat)}; stale after {JobDuration.Format(stale)})");
        }

        if (MaxRuntime is { } maxRuntime && job.OldestRunInProgressStart is { } started && now - started > maxRuntime)
        {
            return Health(job, JobHealthState.RunningTooLong, $"a run has been in progress for {JobDuration.Format(now - started)} (since {Time(started)}; max runtime {JobDuration.Format(maxRuntime)})");
        }

        if (job.LastSuccess is not { } lastSuccess)
        {
            var failures = job.ConsecutiveFailures > 0 ? $"; {Count(job.ConsecutiveFailures, "failed run")}{LastMessage(job)}" : string.Empty;
            return Health(job, JobHealthState.NeverSucceeded, $"never succeeded{failures}");
        }

        if (job.ConsecutiveFailures > 0)
        {
            return Health(job, JobHealthState.Failing, $"{Count(job.ConsecutiveFailures, "consecutive failure")} since the last success at {Time(lastSuccess)}{LastMessage(job)}");
        }

        var age = now - lastSuccess;
        if (maxAge is { } max && age > max)
        {
            return Health(job, JobHealthState.Late, $"no success for {JobDuration.Format(age)} (last at {Time(lastSuccess)}; max age {JobDuration.Format(max)})");
        }

        return Health(job, JobHealthState.Healthy, $"last success {JobDuration.Format(age)} ago");
    }

    /// <summary>The health of a job asked about by name that has no runs.</summary>
    internal static JobHealth NeverRan(string name) => new(name, JobHealthState.NeverRan, "never ran: no runs of this job", null);

    private static JobHealth Health(JobSummary job, JobHealthState state, string reason) => new(job.Name, state, reason, job);

    private static string LastMessage(JobSummary job)
        => job.LastRun.Status == JobStatus.Error && !string.IsNullOrWhiteSpace(job.LastRun.Message)
            ? ": " + OneLine(job.LastRun.Message!)
            : string.Empty;

    private static string OneLine(string text)
    {
        var line = string.Join(" ", text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries)).Trim();
        return line.Length <= 200 ? line : line.Substring(0, 199) + "…";
    }

    private static string Count(int n, string what) => n == 1 ? $"1 {what}" : $"{n.ToString(CultureInfo.InvariantCulture)} {what}s";

    private static string Time(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static TimeSpan? Positive(TimeSpan? value, string name)
        => value is { } v && v <= TimeSpan.Zero
            ? throw new ArgumentOutOfRangeException(name, v, $"{name} must be longer than zero, or null to leave it unchecked.")
            : value;
}
