using JobUtil.Reporting;

namespace JobUtil.Report.Tests;

/// <summary>The reports the tests open: a small one whose every run is known, and the fleet-sized one.</summary>
public static class Reports
{
    /// <summary>The small report's window: two days, and its "now" is the window's end.</summary>
    public static readonly DateTimeOffset WindowStart = new(2026, 11, 28, 0, 0, 0, TimeSpan.Zero);

    public static readonly DateTimeOffset Now = WindowStart.AddDays(2);

    public static JobRecord Run(long id, string job, DateTimeOffset start, DateTimeOffset? end, JobStatus status, long? records = null, string? message = null,
        string source = "crm", string destination = "warehouse")
        => new(id, job, start, end, message, status, records, source, destination);

    /// <summary>
    /// Three jobs over two days. <c>late_job</c>'s run 20 covers exactly the window's second quarter; run 11 of
    /// <c>inventory_sync</c> is still in progress.
    /// </summary>
    public static JobRunsReport Small()
    {
        var t = WindowStart;
        return new JobRunsReport(Now, WindowStart, Now,
        [
            new JobRunsLane("orders_etl",
            [
                Run(1, "orders_etl", t.AddHours(1), t.AddHours(1.5), JobStatus.Success, 100),
                Run(2, "orders_etl", t.AddHours(25), t.AddHours(25.75), JobStatus.Success, 120),
                Run(3, "orders_etl", t.AddHours(36), t.AddHours(36).AddMinutes(5).AddSeconds(7), JobStatus.Error, 0, "connection refused by 10.0.0.7:5432"),
            ])
            { HealthState = "healthy", HealthReason = "last run 2026-11-29 12:00 UTC", UrgencyRank = 5 },
            new JobRunsLane("inventory_sync",
            [
                Run(10, "inventory_sync", t.AddHours(6), t.AddHours(6).AddMinutes(10), JobStatus.Error, null, "timeout"),
                Run(11, "inventory_sync", t.AddHours(42), null, JobStatus.InProgress),
            ])
            { HealthState = "failing", HealthReason = "the last finished run failed", UrgencyRank = 0 },
            new JobRunsLane("late_job",
            [
                Run(20, "late_job", t.AddHours(12), t.AddHours(24), JobStatus.Success, 5000),
                Run(21, "late_job", t.AddHours(30), t.AddHours(31), new JobStatus("cancelled")),
            ])
            { HealthState = "late", HealthReason = "no run since 2026-11-29 07:00 UTC", UrgencyRank = 1 },
        ]);
    }

    /// <summary>
    /// The fleet at scale: <paramref name="jobs"/> jobs over <paramref name="days"/> days, each running every
    /// <paramref name="everyHours"/> hours, the last run of every tenth job still in progress and every 17th run failed.
    /// </summary>
    public static JobRunsReport Fleet(int jobs = 100, int days = 30, int everyHours = 6)
    {
        var end = Now;
        var start = end.AddDays(-days);
        var lanes = new List<JobRunsLane>();
        long id = 1;
        for (var j = 0; j < jobs; j++)
        {
            var name = $"job_{j:000}";
            var runs = new List<JobRecord>();
            for (var s = start.AddMinutes(j); s < end; s = s.AddHours(everyHours))
            {
                var last = s.AddHours(everyHours) >= end;
                var minutes = 5 + (j % 7) + (runs.Count * 0.05); // slower night after night
                runs.Add(last && j % 10 == 0
                    ? Run(id++, name, s, null, JobStatus.InProgress)
                    : id % 17 == 0
                        ? Run(id++, name, s, s.AddMinutes(minutes / 2), JobStatus.Error, 0, $"run {id} failed: deadlock detected")
                        : Run(id++, name, s, s.AddMinutes(minutes), JobStatus.Success, 1000 + (runs.Count * 10)));
            }

            lanes.Add(new JobRunsLane(name, runs) { HealthState = j % 10 == 3 ? "failing" : "healthy", UrgencyRank = j % 10 == 3 ? 0 : 9 });
        }

        return new JobRunsReport(end, start, end, lanes);
    }
}
