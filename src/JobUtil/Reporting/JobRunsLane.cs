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
    /// <c>running too long</c>, <c>stale</c>, <c>never succeeded</c> or <c>never ran</c>; <see langword="null"/> when unknown.
    /// </summary>
    /// <remarks>
    /// Shown as given. Those seven states (with spaces, hyphens or underscores between words, in any case) also get
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

    /// <summary>
    /// The lanes of a fleet: one per job of <paramref name="health"/> (as <see cref="JobFleet.CheckAsync"/> judged it),
    /// and one without a health for each other job that has runs in <paramref name="runs"/>, in ordinal order of name.
    /// Each lane's health table row shows the job's <see cref="JobHealth.State"/> as a phrase (such as
    /// <c>running too long</c>) and its <see cref="JobHealth.Reason"/>, ranked most urgent first.
    /// </summary>
    /// <remarks>
    /// The ranks, most urgent first: stale, running too long, never succeeded, failing, late, never ran, healthy, then
    /// jobs without a health. The first five follow the precedence of <see cref="JobHealthPolicy.Evaluate"/>; a job that
    /// never ran comes after them because it is only judged when asked about by name.
    /// </remarks>
    /// <param name="health">The jobs' health, such as the answer of <see cref="JobFleet.CheckAsync"/>.</param>
    /// <param name="runs">Runs of any jobs, such as the answer of <see cref="JobFleet.GetRunsAsync"/>; each goes to its job's lane.</param>
    /// <returns>The lanes, ready for <see cref="JobRunsReport"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="health"/> or <paramref name="runs"/> is null.</exception>
    /// <exception cref="ArgumentException">An item of either is null, or two healths have the same name.</exception>
    public static IReadOnlyList<JobRunsLane> FromHealth(IEnumerable<JobHealth> health, IEnumerable<JobRecord> runs)
    {
        if (health is null)
        {
            throw new ArgumentNullException(nameof(health));
        }

        if (runs is null)
        {
            throw new ArgumentNullException(nameof(runs));
        }

        var byName = new Dictionary<string, JobHealth>(StringComparer.Ordinal);
        foreach (var job in health)
        {
            if (job is null)
            {
                throw new ArgumentException("The health of a fleet must not include null.", nameof(health));
            }

            if (byName.ContainsKey(job.Name))
            {
                throw new ArgumentException($"Job '{job.Name}' has more than one health; give each job one.", nameof(health));
            }

            byName.Add(job.Name, job);
        }

        var runsByJob = runs.ToLookup(r => (r ?? throw new ArgumentException("The runs must not include null.", nameof(runs))).Name, StringComparer.Ordinal);
        return [.. byName.Keys.Union(runsByJob.Select(g => g.Key), StringComparer.Ordinal)
            .OrderBy(name => name, StringComparer.Ordinal)
            .Select(name => byName.TryGetValue(name, out var job)
                ? new JobRunsLane(name, runsByJob[name]) { HealthState = Phrase(job.State), HealthReason = job.Reason, UrgencyRank = Urgency(job.State) }
                : new JobRunsLane(name, runsByJob[name]) { UrgencyRank = Urgency(null) })];
    }

    /// <summary>A state as the health table shows it; <see cref="HealthStyle"/> knows each of these phrases.</summary>
    private static string Phrase(JobHealthState state) => state switch
    {
        JobHealthState.Healthy => "healthy",
        JobHealthState.Late => "late",
        JobHealthState.Failing => "failing",
        JobHealthState.RunningTooLong => "running too long",
        JobHealthState.Stale => "stale",
        JobHealthState.NeverSucceeded => "never succeeded",
        JobHealthState.NeverRan => "never ran",
        _ => state.ToString(),
    };

    private static int Urgency(JobHealthState? state) => state switch
    {
        JobHealthState.Stale => 0,
        JobHealthState.RunningTooLong => 1,
        JobHealthState.NeverSucceeded => 2,
        JobHealthState.Failing => 3,
        JobHealthState.Late => 4,
        JobHealthState.NeverRan => 5,
        JobHealthState.Healthy => 6,
        _ => 7,
    };
}
