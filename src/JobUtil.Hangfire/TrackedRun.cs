namespace JobUtil.Hangfire;

/// <summary>
/// The Jobs API run of the current execution of a tracked Hangfire job: its watermark, its attempt, and where the job
/// reports how many records it processed. Get it from <see cref="ITrackedRunAccessor"/> (injected) or with
/// <see cref="TrackedRunPerformContextExtensions.GetTrackedRun"/> on the job's <c>PerformContext</c>.
/// </summary>
public sealed class TrackedRun
{
    internal TrackedRun(string jobName, long runId, DateTimeOffset startDate, DateTimeOffset? watermark, int attempt)
    {
        JobName = jobName;
        RunId = runId;
        StartDate = startDate;
        Watermark = watermark;
        Attempt = attempt;
    }

    /// <summary>The job's name in the Jobs API.</summary>
    public string JobName { get; }

    /// <summary>The id of the run the Jobs API gave this execution.</summary>
    public long RunId { get; }

    /// <summary>When this run started (its <c>start_date</c>); the watermark of the next run once this one succeeds.</summary>
    public DateTimeOffset StartDate { get; }

    /// <summary>
    /// The watermark: the start of the job's last successful run, read before this run started, minus
    /// <see cref="JobOptions.WatermarkLookback"/> (<see cref="JobRun.Since"/>); <see langword="null"/> when the job has
    /// never succeeded. Extract source records modified at or after it.
    /// </summary>
    public DateTimeOffset? Watermark { get; }

    /// <summary>Which attempt of its Hangfire job this execution is: 1, then one more for each automatic retry.</summary>
    public int Attempt { get; }

    /// <summary>
    /// How many records this run processed, recorded with its success when the job method returns no count of its own
    /// (an integer it returns wins); not sent when left <see langword="null"/>. A count the <c>records_processed</c>
    /// column cannot hold makes the run an error (<see cref="JobRun.FinishAsync"/>), and the execution fails.
    /// </summary>
    public long? RecordsProcessed { get; set; }

    /// <summary>Describes the run.</summary>
    /// <returns>The job's name, the run's id, its attempt and its watermark.</returns>
    public override string ToString()
        => $"Run {RunId} of job '{JobName}', attempt {Attempt} (watermark {Watermark?.ToString("O") ?? "none"})";
}
