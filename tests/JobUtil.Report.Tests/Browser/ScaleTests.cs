namespace JobUtil.Report.Tests.Browser;

/// <summary>A fleet's month (100 jobs, 30 days, thousands of runs) opens and renders in Chromium in under a second.</summary>
public sealed class ScaleTests
{
    [TestCase(24, 3_000, TestName = "A hundred daily jobs over thirty days render in under a second")]
    [TestCase(6, 12_000, TestName = "A hundred jobs running every six hours over thirty days render in under a second")]
    public async Task A_hundred_jobs_over_thirty_days_render_in_under_a_second(int everyHours, int expectedRuns)
    {
        var fleet = Reports.Fleet(jobs: 100, days: 30, everyHours: everyHours);
        var runs = fleet.Lanes.Sum(l => l.Runs.Count);

        await using var report = await OpenReport.OpenAsync(fleet);
        // Two animation frames after load: the page has been laid out and painted.
        var timing = await report.Page.EvaluateAsync<double[]>("""
            () => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(() => {
              const nav = performance.getEntriesByType("navigation")[0];
              const paint = performance.getEntriesByName("first-contentful-paint")[0];
              done([nav.domContentLoadedEventEnd, nav.loadEventEnd, paint ? paint.startTime : -1, performance.now()]);
            })))
            """);
        var size = new FileInfo(report.Path).Length;
        TestContext.Out.WriteLine(
            $"{fleet.Lanes.Count} jobs, {runs} runs, {size / 1024} KiB: DOMContentLoaded {timing[0]:0} ms, load {timing[1]:0} ms, " +
            $"first contentful paint {timing[2]:0} ms, painted after two frames {timing[3]:0} ms (from navigation start)");

        Assert.That(runs, Is.EqualTo(expectedRuns));
        Assert.That(await report.Page.Locator("[data-run-id]").CountAsync(), Is.EqualTo(runs));
        Assert.That(timing[3], Is.LessThan(1000), "ms from navigation start until laid out and painted");
        await report.AttachScreenshotAsync("100 jobs over 30 days, the part in view.");
    }
}
