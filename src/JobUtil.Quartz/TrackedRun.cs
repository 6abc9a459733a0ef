namespace JobUtil.Quartz;

/// <summary>
/// The Jobs API run of the current firing of a tracked Quartz job: its watermark, and where the job reports how many
/// records it processed. Get it with <see cref="TrackedRunExecutionContextExtensions.GetTrackedRun"/>.
/// </summary>
public sealed class TrackedRun
{
    private long? _recordsProcessed;

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
    /// The watermark: the start of the job's last successful run, read before this run started; <see langword="null"/>
    /// when the job has never succeeded. Extract source records modified at or after it.
    /// </summary>
    public DateTimeOffset? Watermark { get; }

    /// <summary>
    /// How many records this run processed, recorded with its success; not sent when the job leaves it
    /// <see langword="null"/>. Set it from the job before it returns.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative or above <see cref="int.MaxValue"/> (the column's range).</exception>
    public long? RecordsProcessed
    {
        get => _recordsProcessed;
        set
        {
            if (value is < 0 or > int.MaxValue)
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "A record count must be between 0 and 2,147,483,647 (the records_processed column).");
            }

            _recordsProcessed = value;
        }
    }

    /// <summary>Describes the run.</summary>
    /// <returns>The job's name, the run's id and its watermark.</returns>
    public override string ToString() => $"Run {RunId} of job '{JobName}' (watermark {Watermark?.ToString("O") ?? "none"})";
}
