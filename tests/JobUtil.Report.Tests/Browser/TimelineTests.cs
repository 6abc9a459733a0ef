using JobUtil.Reporting;

namespace JobUtil.Report.Tests.Browser;

/// <summary>The timeline: one lane per job, one bar per run at its place in time, statuses told apart without colour.</summary>
public sealed class TimelineTests
{
    [Test]
    public async Task Each_job_has_one_lane_named_by_data_job_in_the_given_order()
    {
        await using var report = await OpenReport.OpenAsync(Reports.Small());

        var jobs = await report.Page.Locator(".lane[data-job]").EvaluateAllAsync<string[]>("lanes => lanes.map(l => l.dataset.job)");
        var labels = await report.Page.Locator(".lane[data-job] .job").AllTextContentsAsync();

        Assert.That(jobs, Is.EqualTo(new[] { "orders_etl", "inventory_sync", "late_job" }));
        Assert.That(labels, Is.EqualTo(jobs));
        await report.AttachScreenshotAsync("The small report: three jobs over two days.");
    }

    [Test]
    public async Task Each_run_is_a_bar_with_its_id_and_status_in_its_jobs_lane()
    {
        await using var report = await OpenReport.OpenAsync(Reports.Small());

        var bars = await report.Page.Locator("[data-run-id]").EvaluateAllAsync<string[][]>(
            "bars => bars.map(b => [b.closest('[data-job]').dataset.job, b.dataset.runId, b.dataset.status])");

        Assert.That(bars, Is.EqualTo(new[]
        {
            new[] { "orders_etl", "1", "success" }, ["orders_etl", "2", "success"], ["orders_etl", "3", "error"],
            ["inventory_sync", "10", "error"], ["inventory_sync", "11", "in_progress"],
            ["late_job", "20", "success"], ["late_job", "21", "cancelled"],
        }));
    }

    [Test]
    public async Task A_bar_spans_its_run_from_start_to_end_on_the_window()
    {
        await using var report = await OpenReport.OpenAsync(Reports.Small());

        // Run 20 lasts from 12:00 on the first day to midnight: the second quarter of the two-day window.
        var track = await report.Page.Locator("[data-job='late_job'] svg.track").BoundingBoxAsync();
        var bar = await report.Page.Locator("[data-run-id='20']").BoundingBoxAsync();

        Assert.That(bar!.X - track!.X, Is.EqualTo(track.Width * 0.25).Within(1.5));
        Assert.That(bar.Width, Is.EqualTo(track.Width * 0.25).Within(1.5));
    }

    [Test]
    public async Task A_run_in_progress_reaches_up_to_now()
    {
        await using var report = await OpenReport.OpenAsync(Reports.Small());

        // Run 11 started six hours before the end of the window, which is the report's now.
        var track = await report.Page.Locator("[data-job='inventory_sync'] svg.track").BoundingBoxAsync();
        var bar = await report.Page.Locator("[data-run-id='11']").BoundingBoxAsync();

        Assert.That(bar!.X - track!.X, Is.EqualTo(track.Width * 42 / 48).Within(1.5));
        Assert.That(bar.X + bar.Width, Is.EqualTo(track.X + track.Width).Within(1.5));
    }

    [Test]
    public async Task Statuses_differ_by_fill_pattern_and_mark_not_only_by_colour()
    {
        await using var report = await OpenReport.OpenAsync(Reports.Small());

        var fills = await report.Page.Locator("[data-run-id]").EvaluateAllAsync<string[]>(
            "bars => bars.map(b => b.dataset.status + ' ' + getComputedStyle(b).fill)");
        var errorMarks = await report.Page.Locator("[data-job='orders_etl'] .s-error-mark").CountAsync();
        var runningMarks = await report.Page.Locator("[data-job='inventory_sync'] .s-running-mark").CountAsync();

        Assert.That(fills, Does.Contain("error url(\"#hatch-error\")"));
        Assert.That(fills, Does.Contain("in_progress url(\"#stripe-running\")"));
        Assert.That(fills, Does.Contain("cancelled url(\"#dots-other\")"));
        Assert.That(fills.Where(f => f.StartsWith("success", StringComparison.Ordinal)), Has.All.Not.Contain("url("));
        Assert.That(errorMarks, Is.EqualTo(1));
        Assert.That(runningMarks, Is.EqualTo(1));
    }

    [Test]
    public async Task The_axis_is_labelled_in_utc_with_whole_days_or_hours()
    {
        await using var report = await OpenReport.OpenAsync(Reports.Small());

        var ticks = await report.Page.Locator(".axis text").EvaluateAllAsync<string[]>("ts => ts.map(t => t.dataset.utc + ' ' + t.textContent)");

        Assert.That(ticks, Is.EqualTo(new[]
        {
            "2026-11-28T00:00:00Z Nov 28", "2026-11-28T06:00:00Z 06:00", "2026-11-28T12:00:00Z 12:00", "2026-11-28T18:00:00Z 18:00",
            "2026-11-29T00:00:00Z Nov 29", "2026-11-29T06:00:00Z 06:00", "2026-11-29T12:00:00Z 12:00", "2026-11-29T18:00:00Z 18:00",
            "2026-11-30T00:00:00Z Nov 30",
        }));
    }

    [Test]
    public async Task Each_job_has_a_sparkline_of_duration_and_of_records_per_finished_run()
    {
        await using var report = await OpenReport.OpenAsync(Reports.Small());

        var durationPoints = await report.Page.Locator("[data-job='inventory_sync'] [data-spark='duration'] polyline").GetAttributeAsync("points");
        var records = await report.Page.Locator("[data-job='orders_etl'] [data-spark='records'] svg").GetAttributeAsync("aria-label");
        var noRecords = await report.Page.Locator("[data-job='inventory_sync'] [data-spark='records']").TextContentAsync();

        // inventory_sync's one finished run is a flat line; its run in progress has no duration yet.
        Assert.That(durationPoints, Is.EqualTo("0,2 100,2"));
        Assert.That(records, Is.EqualTo("records per run, oldest to newest: 3 runs, least 0, most 120, last 0"));
        Assert.That(noRecords, Is.EqualTo("no data"));
    }

    [Test]
    public async Task A_job_without_runs_still_has_its_lane()
    {
        var report = new JobRunsReport(Reports.Now, Reports.WindowStart, Reports.Now, [new JobRunsLane("idle_job", [])]);
        await using var open = await OpenReport.OpenAsync(report);

        Assert.That(await open.Page.Locator(".lane[data-job='idle_job']").CountAsync(), Is.EqualTo(1));
        Assert.That(await open.Page.Locator("[data-run-id]").CountAsync(), Is.Zero);
    }
}
