using JobUtil.Testing;

namespace JobUtil.Tests.Shared;

/// <summary>
/// One fleet in which every health state occurs at <see cref="Now"/> under <see cref="Policy"/>, shared by the tests
/// against FakeJobsApi and against PostgreSQL with db/schema.sql.
/// </summary>
internal static class FleetScenario
{
    public static readonly DateTimeOffset Now = new(2024, 3, 1, 12, 0, 0, TimeSpan.Zero);

    /// <summary>A job named in a check that has no runs.</summary>
    public const string NeverRanName = "nobody_ran_me";

    /// <summary>The job whose run in progress sent a heartbeat 20 minutes ago (the fake keeps no heartbeats).</summary>
    public const string StaleName = "stale";

    /// <summary>When the stale job's run last sent a heartbeat, 20 minutes before <paramref name="now"/>.</summary>
    public static DateTimeOffset StaleHeartbeatAt(DateTimeOffset now) => now.AddMinutes(-20);

    public static JobHealthPolicy Policy => new()
    {
        DefaultMaxAge = TimeSpan.FromHours(26),
        MaxAges = { ["weekly"] = TimeSpan.FromDays(7) },
        MaxRuntime = TimeSpan.FromHours(2),
        StaleHeartbeatAfter = TimeSpan.FromMinutes(10),
    };

    /// <summary>The runs at <see cref="Now"/>, in insertion order (ids 1, 2, … when the table starts empty).</summary>
    public static IReadOnlyList<FakeJobRow> Rows { get; } = RowsAt(Now);

    /// <summary>The runs, for a check made at <paramref name="now"/>.</summary>
    public static IReadOnlyList<FakeJobRow> RowsAt(DateTimeOffset now) =>
    [
        // An error long ago, then a success two hours ago.
        Run("healthy", "error", now.AddHours(-50), now.AddHours(-49.9), message: "old trouble"),
        Run("healthy", "success", now.AddHours(-2.2), now.AddHours(-2), records: 42),

        // The last success ended 30 hours ago; the maximum age is 26 hours.
        Run("late", "success", now.AddHours(-30.5), now.AddHours(-30), records: 7),

        // Three days old, but this job may be seven days old.
        Run("weekly", "success", now.AddDays(-3).AddMinutes(-5), now.AddDays(-3), records: 1000),

        // A success, then two failures.
        Run("failing", "success", now.AddHours(-5), now.AddHours(-4.9), records: 3),
        Run("failing", "error", now.AddHours(-3), now.AddHours(-2.9), message: "first"),
        Run("failing", "error", now.AddHours(-1), now.AddHours(-0.9), message: "connection refused"),

        // A run in progress for three hours; the maximum runtime is two.
        Run("running_long", "success", now.AddHours(-4), now.AddHours(-3.9)),
        Run("running_long", "in_progress", now.AddHours(-3), null),

        // A run in progress for 30 minutes whose heartbeat is 20 minutes old (set on the real table only).
        Run(StaleName, "success", now.AddHours(-6), now.AddHours(-5.9)),
        Run(StaleName, "in_progress", now.AddMinutes(-30), null),

        // Only failures.
        Run("never_succeeded", "error", now.AddHours(-8), now.AddHours(-7.9), message: "bad config"),
        Run("never_succeeded", "error", now.AddHours(-4), now.AddHours(-3.9), message: "bad config\nsecond line"),
    ];

    /// <summary>The expected state of every job; the stale job is healthy where heartbeats are not kept.</summary>
    public static IReadOnlyDictionary<string, JobHealthState> ExpectedStates(bool heartbeats) => new Dictionary<string, JobHealthState>
    {
        ["failing"] = JobHealthState.Failing,
        ["healthy"] = JobHealthState.Healthy,
        ["late"] = JobHealthState.Late,
        ["never_succeeded"] = JobHealthState.NeverSucceeded,
        ["running_long"] = JobHealthState.RunningTooLong,
        [StaleName] = heartbeats ? JobHealthState.Stale : JobHealthState.Healthy,
        ["weekly"] = JobHealthState.Healthy,
    };

    private static FakeJobRow Run(string name, string status, DateTimeOffset start, DateTimeOffset? end, string? message = null, int? records = null) => new()
    {
        Name = name,
        Status = status,
        StartDate = start,
        EndDate = end,
        Message = message,
        RecordsProcessed = records,
        Source = "crm",
        Destination = "warehouse",
    };
}
