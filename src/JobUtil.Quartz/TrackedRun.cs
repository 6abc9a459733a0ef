namespace JobUtil.Quartz;

/// <summary>
/// The Jobs API run of the current firing of a tracked Quartz job: its watermark, and where the job reports how many
/// records it processed. Get it with <see cref="TrackedRunExecutionContextExtensions.GetTrackedRun"/>.
/// </summary>
public sealed class TrackedRun
{
    internal TrackedRun(string jobName, long runId, DateTimeOffset startDate, DateTimeOffset? watermark)
    {
        JobName = jobName;
        RunId = runId;
        StartDate = startDate;
        Watermark = watermark;
    }

    /// <summary>The job's name in the Jobs API.</summary>
    public string JobName { get; }

    /// <summary>The id of the run the Jobs API gave this firing.</summary>
    public long RunId { get; }

    /// <summary>When this run started (its <c>start_date</c>); the watermark of the next run once this one succeeds.</summary>
    public DateTimeOffset StartDate { get; }

    /// <summary>
    /// The watermark: the start of the job's last successful run, read before this run started, minus
    /// <see cref="JobOptions.WatermarkLookback"/> (<see cref="JobRun.Since"/>); <see langword="null"/> when the job has
    /// never succeeded. Extract source records modified at or after it.
    /// </summary>
    public DateTimeOffset? Watermark { get; }

    /// <summary>
    /// How many records this run processed, recorded with its success (<see cref="JobRun.FinishAsync"/>); not sent when
    /// the job leaves it <see langword="null"/>. Set it from the job before it returns. A count the
    /// <c>records_processed</c> column cannot hold (below 0 or above 2,147,483,647) records the run as an error saying
    /// so, and fails the firing.
    /// </summary>
    public long? RecordsProcessed { get; set; }

    /// <summary>Describes the run.</summary>
    /// <returns>The job's name, the run's id and its watermark.</returns>
    public override string ToString() => $"Run {RunId} of job '{JobName}' (watermark {Watermark?.ToString("O") ?? "none"})";
}
