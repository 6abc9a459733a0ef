namespace JobUtil.Reporting;

/// <summary>
/// What a runs report shows: one lane per job, each with the job's health and its runs, over a time window.
/// Render it with <see cref="JobRunsReportHtml.Render(JobRunsReport)"/>.
/// </summary>
/// <remarks>
/// The model holds data only; it evaluates nothing. The health of each job (its state, the reason and how urgent it is)
/// is given by the caller, and the report shows it as given.
/// </remarks>
public sealed class JobRunsReport
{
    /// <summary>Creates a report of the given lanes over the window from <paramref name="windowStart"/> to <paramref name="windowEnd"/>.</summary>
    /// <param name="generatedAt">
    /// When the data was read: the report's "now". A run still in progress is drawn up to this time.
    /// </param>
    /// <param name="windowStart">The left edge of the timeline.</param>
    /// <param name="windowEnd">The right edge of the timeline, usually <paramref name="generatedAt"/>.</param>
    /// <param name="lanes">One lane per job, in the order the timeline shows them.</param>
    /// <exception cref="ArgumentNullException"><paramref name="lanes"/> is null.</exception>
    /// <exception cref="ArgumentException">
    /// <paramref name="windowEnd"/> is not after <paramref name="windowStart"/>, <paramref name="lanes"/> holds a null
    /// lane, two lanes have the same job name, or a run id shows more than once.
    /// </exception>
    public JobRunsReport(DateTimeOffset generatedAt, DateTimeOffset windowStart, DateTimeOffset windowEnd, IEnumerable<JobRunsLane> lanes)
    {
        if (lanes is null)
        {
            throw new ArgumentNullException(nameof(lanes));
        }

        if (windowEnd <= windowStart)
        {
            throw new ArgumentException($"The window must end after it starts; it is {windowStart:O} to {windowEnd:O}.", nameof(windowEnd));
        }

        var list = new List<JobRunsLane>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        var runIds = new HashSet<long>();
        foreach (var lane in lanes)
        {
            if (lane is null)
            {
                throw new ArgumentException("A report's lanes must not include null.", nameof(lanes));
            }

            if (!names.Add(lane.JobName))
            {
                throw new ArgumentException($"Job '{lane.JobName}' has more than one lane; give each job one lane.", nameof(lanes));
            }

            // A run's id is its key on the page (data-run-id), so it may show once only.
            foreach (var run in lane.Runs)
            {
                if (!runIds.Add(run.Id))
                {
                    throw new ArgumentException($"Run {run.Id} is in the report more than once; give each run once, in its job's lane.", nameof(lanes));
                }
            }

            list.Add(lane);
        }

        GeneratedAt = generatedAt;
        WindowStart = windowStart;
        WindowEnd = windowEnd;
        Lanes = list.AsReadOnly();
    }

    /// <summary>When the data was read: the report's "now", up to which a run in progress is drawn.</summary>
    public DateTimeOffset GeneratedAt { get; }

    /// <summary>The left edge of the timeline. Runs that ended before it are not drawn.</summary>
    public DateTimeOffset WindowStart { get; }

    /// <summary>The right edge of the timeline. Runs that started after it are not drawn.</summary>
    public DateTimeOffset WindowEnd { get; }

    /// <summary>One lane per job, in the order the timeline shows them.</summary>
    public IReadOnlyList<JobRunsLane> Lanes { get; }

    /// <summary>The page's title and heading, shown as text. The default is <c>Job runs</c>.</summary>
    /// <exception cref="ArgumentNullException">The value is null.</exception>
    public string Title
    {
        get => _title;
        init => _title = value ?? throw new ArgumentNullException(nameof(value));
    }

    private readonly string _title = "Job runs";
}
