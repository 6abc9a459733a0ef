namespace JobUtil.Reporting;

/// <summary>
/// One job in a <see cref="JobRunsReport"/>: its row in the health table and its lane in the timeline.
/// </summary>
public sealed class JobRunsLane
{
    /// <summary>Creates the lane of job <paramref name="jobName"/> with its runs.</summary>
    /// <param name="jobName">The job's name, shown as text and carried by the lane's <c>data-job</c> attribute.</param>
    /// <param name="runs">
    /// The job's runs in any order; the report orders them by start. Each becomes a bar in the lane and a point of the
    /// job's trend.
    /// </param>
    /// <exception cref="ArgumentNullException"><paramref name="jobName"/> or <paramref name="runs"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="runs"/> holds a null run.</exception>
    public JobRunsLane(string jobName, IEnumerable<JobRecord> runs)
    {
        if (runs is null)
        {
            throw new ArgumentNullException(nameof(runs));
        }

        var list = new List<JobRecord>();
        foreach (var run in runs)
        {
            list.Add(run ?? throw new ArgumentException($"The runs of job '{jobName}' must not include null.", nameof(runs)));
        }

        // A stable sort: runs that start together keep their id order, so the same data renders the same page.
        JobName = jobName ?? throw new ArgumentNullException(nameof(jobName));
        Runs = list.OrderBy(r => r.StartDate).ThenBy(r => r.Id).ToList().AsReadOnly();
    }

    /// <summary>The job's name.</summary>
    public string JobName { get; }

    /// <summary>The job's runs, oldest first.</summary>
    public IReadOnlyList<JobRecord> Runs { get; }

    /// <summary>
    /// The job's health state as a short phrase, such as <c>healthy</c>, <c>late</c>, <c>failing</c>,
    /// <c>running too long</c>, <c>stale</c> or <c>never succeeded</c>; <see langword="null"/> when unknown.
    /// </summary>
    /// <remarks>
    /// Shown as given. Those six states (with spaces, hyphens or underscores between words, in any case) also get
    /// their own icon and colour; any other text is shown with a neutral one.
    /// </remarks>
    public string? HealthState { get; init; }

    /// <summary>Why the job is in its health state, such as <c>the last 3 runs failed</c>; <see langword="null"/> for none.</summary>
    public string? HealthReason { get; init; }

    /// <summary>
    /// Where the job's row goes in the health table: smaller ranks come first, so give the most urgent state the
    /// smallest rank. Jobs of the same rank are ordered by name. The default is 0.
    /// </summary>
    public int UrgencyRank { get; init; }
}
