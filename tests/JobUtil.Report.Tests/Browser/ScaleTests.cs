using System.Text.Json;
using JobUtil.Reporting;
using Microsoft.Playwright;

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
        var path = Path.Combine(TestContext.CurrentContext.WorkDirectory, "reports", $"fleet-{runs}.html");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllTextAsync(path, JobRunsReportHtml.Render(fleet));

        // A viewer's browser is already running: open a small report first, so the renderer process (file:// pages
        // share one) exists and its CPU counters cover the big page only.
        await using var report = await OpenReport.OpenAsync(Reports.Small());
        var cdp = await report.Page.Context.NewCDPSessionAsync(report.Page);
        await cdp.SendAsync("Performance.enable");
        var before = await MetricsAsync(cdp);
        await report.Page.GotoAsync(new Uri(path).AbsoluteUri);
        // Two animation frames after load: the page has been laid out and painted.
        var timing = await report.Page.EvaluateAsync<double[]>("""
            () => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(() => {
              const nav = performance.getEntriesByType("navigation")[0];
              const paint = performance.getEntriesByName("first-contentful-paint")[0];
              done([nav.domContentLoadedEventEnd, nav.loadEventEnd, paint ? paint.startTime : -1, performance.now()]);
            })))
            """);
        var after = await MetricsAsync(cdp);
        double Cpu(string name) => (after[name] - before[name]) * 1000;

        TestContext.Out.WriteLine(
            $"{fleet.Lanes.Count} jobs, {runs} runs, {new FileInfo(path).Length / 1024} KiB, load average {LoadAverage()}: " +
            $"wall clock from navigation start: DOMContentLoaded {timing[0]:0} ms, load {timing[1]:0} ms, first contentful paint {timing[2]:0} ms, " +
            $"laid out and painted (two frames after load) {timing[3]:0} ms; CPU time of the page's main thread {Cpu("ThreadTime"):0} ms " +
            $"(of it: style {Cpu("RecalcStyleDuration"):0} ms, layout {Cpu("LayoutDuration"):0} ms, script {Cpu("ScriptDuration"):0} ms), " +
            $"of its renderer process {Cpu("ProcessTime"):0} ms");

        Assert.That(runs, Is.EqualTo(expectedRuns));
        Assert.That(await report.Page.Locator("[data-run-id]").CountAsync(), Is.EqualTo(runs));
        // Wall-clock time depends on whatever else the machine runs; the CPU time the page's main thread needs from
        // navigation to painted does not, and on an idle core it is the wall-clock time.
        Assert.That(Cpu("ThreadTime"), Is.LessThan(1000), "ms of main-thread CPU from navigation start until laid out and painted");
        await report.AttachScreenshotAsync($"{fleet.Lanes.Count} jobs over 30 days, {runs} runs: the whole page.");
        await report.Page.Locator("[data-run-id]").Nth(runs / 2).FocusAsync();
        await report.AttachScreenshotAsync($"{fleet.Lanes.Count} jobs over 30 days, {runs} runs: the timeline, a run focused.", scrollTo: "#timeline-heading");
    }

    private static async Task<Dictionary<string, double>> MetricsAsync(ICDPSession cdp)
    {
        var result = await cdp.SendAsync("Performance.getMetrics");
        return result!.Value.GetProperty("metrics").EnumerateArray()
            .ToDictionary(m => m.GetProperty("name").GetString()!, m => m.GetProperty("value").GetDouble());
    }

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "unknown";
}
