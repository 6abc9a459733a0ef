using JobUtil.Reporting;

namespace JobUtil.Report.Tests;

/// <summary>The report's model rejects what cannot be drawn, with a clear error, and renders the same data the same way.</summary>
public sealed class ModelTests
{
    [Test]
    public void A_window_that_does_not_end_after_it_starts_is_rejected()
    {
        var error = Assert.Throws<ArgumentException>(() => _ = new JobRunsReport(Reports.Now, Reports.Now, Reports.Now, []));

        Assert.That(error!.ParamName, Is.EqualTo("windowEnd"));
        Assert.That(error.Message, Does.Contain("must end after it starts"));
    }

    [Test]
    public void Two_lanes_of_one_job_are_rejected()
    {
        var error = Assert.Throws<ArgumentException>(() => _ = new JobRunsReport(Reports.Now, Reports.WindowStart, Reports.Now,
            [new JobRunsLane("a", []), new JobRunsLane("a", [])]));

        Assert.That(error!.Message, Does.Contain("Job 'a' has more than one lane"));
    }

    [Test]
    public void A_run_in_two_lanes_is_rejected()
    {
        var run = Reports.Run(7, "a", Reports.WindowStart, null, JobStatus.InProgress);

        var error = Assert.Throws<ArgumentException>(() => _ = new JobRunsReport(Reports.Now, Reports.WindowStart, Reports.Now,
            [new JobRunsLane("a", [run]), new JobRunsLane("b", [run with { Name = "b" }])]));

        Assert.That(error!.Message, Does.Contain("Run 7 is in the report more than once"));
    }

    [Test]
    public void Null_lanes_and_runs_are_rejected()
    {
        Assert.Throws<ArgumentNullException>(() => _ = new JobRunsLane(null!, []));
        Assert.Throws<ArgumentException>(() => _ = new JobRunsLane("a", [null!]));
        Assert.Throws<ArgumentException>(() => _ = new JobRunsReport(Reports.Now, Reports.WindowStart, Reports.Now, [null!]));
        Assert.Throws<ArgumentNullException>(() => JobRunsReportHtml.Render(null!));
    }

    [Test]
    public void Lanes_from_fleet_health_show_each_state_ranked_most_urgent_first()
    {
        var t = Reports.WindowStart;
        JobHealth Health(string name, JobHealthState state) => new(name, state, $"{name} reason", null);
        var health = new[]
        {
            Health("a_healthy", JobHealthState.Healthy), Health("b_late", JobHealthState.Late), Health("c_failing", JobHealthState.Failing),
            Health("d_long", JobHealthState.RunningTooLong), Health("e_stale", JobHealthState.Stale),
            Health("f_never_succeeded", JobHealthState.NeverSucceeded), Health("g_never_ran", JobHealthState.NeverRan),
        };
        var runs = new[] { Reports.Run(1, "b_late", t, t.AddHours(1), JobStatus.Success), Reports.Run(2, "unjudged", t, null, JobStatus.InProgress) };

        var lanes = JobRunsLane.FromHealth(health, runs);

        Assert.That(lanes.Select(l => l.JobName), Is.EqualTo(health.Select(h => h.Name).Append("unjudged")), "by name");
        Assert.That(lanes.Single(l => l.JobName == "b_late").Runs.Select(r => r.Id), Is.EqualTo(new long[] { 1 }));
        Assert.That(lanes.Single(l => l.JobName == "unjudged").HealthState, Is.Null, "a job with runs but no health");
        Assert.That(lanes.OrderBy(l => l.UrgencyRank).Select(l => l.HealthState), Is.EqualTo(new[]
        {
            "stale", "running too long", "never succeeded", "failing", "late", "never ran", "healthy", null,
        }));
        Assert.That(lanes[0].HealthReason, Is.EqualTo("a_healthy reason"));

        var html = JobRunsReportHtml.Render(new JobRunsReport(Reports.Now, t, Reports.Now, lanes));
        Assert.That(html, Does.Contain("class=\"health-never-ran\""), "never ran has its own mark");
    }

    [Test]
    public void Two_healths_of_one_job_are_rejected()
    {
        var health = new JobHealth("a", JobHealthState.Healthy, "ok", null);

        var error = Assert.Throws<ArgumentException>(() => JobRunsLane.FromHealth([health, health], []));

        Assert.That(error!.Message, Does.Contain("Job 'a' has more than one health"));
    }

    [Test]
    public void A_lane_orders_its_runs_by_start()
    {
        var t = Reports.WindowStart;
        var lane = new JobRunsLane("a", [Reports.Run(2, "a", t.AddHours(2), null, JobStatus.InProgress), Reports.Run(1, "a", t.AddHours(1), t.AddHours(1.5), JobStatus.Success)]);

        Assert.That(lane.Runs.Select(r => r.Id), Is.EqualTo(new long[] { 1, 2 }));
    }

    [Test]
    public void The_same_report_renders_to_the_same_page()
    {
        var first = JobRunsReportHtml.Render(Reports.Small());
        var second = JobRunsReportHtml.Render(Reports.Small());

        Assert.That(second, Is.EqualTo(first));
    }

    [Test]
    public void Runs_outside_the_window_are_not_drawn()
    {
        var t = Reports.WindowStart;
        var report = new JobRunsReport(Reports.Now, t, Reports.Now,
        [
            new JobRunsLane("a",
            [
                Reports.Run(1, "a", t.AddHours(-3), t.AddHours(-2), JobStatus.Success),
                Reports.Run(2, "a", t.AddHours(-1), t.AddHours(1), JobStatus.Success),
                Reports.Run(3, "a", Reports.Now.AddHours(1), null, JobStatus.InProgress),
            ]),
        ]);

        var html = JobRunsReportHtml.Render(report);

        Assert.That(html, Does.Not.Contain("data-run-id=\"1\""));
        Assert.That(html, Does.Contain("data-run-id=\"2\" "));
        Assert.That(html, Does.Not.Contain("data-run-id=\"3\""));
    }
}
