namespace JobUtil;

/// <summary>
/// One job of the fleet at a glance: its latest run, its latest successful run, its runs in progress and its
/// failures since the latest success. Read by <see cref="JobFleet.GetJobsAsync"/>.
/// </summary>
/// <param name="Name">The job's name.</param>
/// <param name="LastRun">The job's newest run (greatest <c>start_date</c>), whatever its status.</param>
/// <param name="LastSuccessStart">The <c>start_date</c> of the latest successful run (the job's watermark); <see langword="null"/> when it never succeeded.</param>
/// <param name="LastSuccessEnd">The <c>end_date</c> of that run.</param>
/// <param name="RunsInProgress">How many of the job's runs are <c>in_progress</c>.</param>
/// <param name="OldestRunInProgressStart">The <c>start_date</c> of the oldest run in progress; <see langword="null"/> when none is.</param>
/// <param name="StalestHeartbeat">The oldest heartbeat among the runs in progress; <see langword="null"/> when none sent one, or the server keeps no heartbeats.</param>
/// <param name="ConsecutiveFailures">Runs that ended in error and started after the latest success (all of them when the job never succeeded).</param>
public sealed record JobSummary(
    string Name,
    JobRecord LastRun,
    DateTimeOffset? LastSuccessStart,
    DateTimeOffset? LastSuccessEnd,
    int RunsInProgress,
    DateTimeOffset? OldestRunInProgressStart,
    DateTimeOffset? StalestHeartbeat,
    int ConsecutiveFailures)
{
    /// <summary>
    /// The job's cursor: that of its latest successful run that stored one (<see cref="Job.LastCursorAsync"/>);
    /// <see langword="null"/> when none did, or the server's <c>jobs_fleet</c> view (or its lack) does not show cursors.
    /// </summary>
    public string? LastCursor { get; init; }

    /// <summary>When the job last succeeded: the end of its latest successful run (its start if it has no end).</summary>
    public DateTimeOffset? LastSuccess => LastSuccessEnd ?? LastSuccessStart;
}
