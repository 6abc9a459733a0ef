using JobUtil.Reporting;

namespace JobUtil.Report.Tests.Browser;

/// <summary>Every name, message, source, destination and status from the data is shown as text and never runs.</summary>
public sealed class EscapingTests
{
    private const string HostileName = "<img src=x onerror=alert(1)>";
    private const string HostileMessage = "</script><script>alert(2)</script><!-- \u2028\u2029 & \"quoted\" 'single'";
    private const string HostileSource = "<svg onload=alert(3)>";
    private const string HostileDestination = "\"><iframe src=javascript:alert(4)>";
    private const string HostileStatus = "<b onmouseover=alert(5)>x</b>";

    private static JobRunsReport Hostile()
    {
        var t = Reports.WindowStart;
        return new JobRunsReport(Reports.Now, Reports.WindowStart, Reports.Now,
        [
            new JobRunsLane(HostileName,
            [
                Reports.Run(1, HostileName, t.AddHours(1), t.AddHours(2), JobStatus.Error, 1, HostileMessage, HostileSource, HostileDestination),
                Reports.Run(2, HostileName, t.AddHours(3), t.AddHours(4), new JobStatus(HostileStatus), 1, HostileMessage, HostileSource, HostileDestination),
            ])
            { HealthState = "</td><script>alert(6)</script>", HealthReason = HostileMessage },
        ])
        { Title = "</title><script>alert(7)</script>" };
    }

    [Test]
    public async Task Hostile_text_creates_no_element_and_runs_no_script()
    {
        await using var report = await OpenReport.OpenAsync(Hostile());

        // Hover and focus every bar, so that an injected handler had its chance to run.
        await report.Page.Locator("[data-run-id='1']").HoverAsync();
        await report.Page.Locator("[data-run-id='2']").HoverAsync();
        await report.Page.Locator("[data-run-id='2']").FocusAsync();
        var injected = await report.Page.EvaluateAsync<int>("() => document.querySelectorAll('img, iframe, b, body svg [onload], [onerror], [onmouseover]').length");
        var scripts = await report.Page.EvaluateAsync<string[]>("() => [...document.scripts].map(s => s.type || 'script')");

        Assert.That(injected, Is.Zero);
        Assert.That(scripts, Is.EqualTo(new[] { "application/json", "script" }), "the run details' data block and the report's own script only");
        Assert.That(report.Dialogs, Is.Empty);
        await report.AttachScreenshotAsync("Hostile names and messages, shown as text.");
    }

    [Test]
    public void The_run_details_block_holds_no_character_that_could_end_it_or_break_the_script()
    {
        var html = JobRunsReportHtml.Render(Hostile());
        var start = html.IndexOf("<script type=\"application/json\" id=\"run-details\">", StringComparison.Ordinal);
        var block = html.Substring(start, html.IndexOf("</script>", start, StringComparison.Ordinal) - start);
        var json = block.Substring(block.IndexOf('>', StringComparison.Ordinal) + 1);

        Assert.That(json, Does.Not.Contain("<").And.Not.Contain(">").And.Not.Contain("&").And.Not.Contain("\u2028").And.Not.Contain("\u2029"));
        Assert.That(System.Text.Json.JsonDocument.Parse(json).RootElement.GetProperty("1")[4].GetString(), Is.EqualTo(HostileMessage));
    }

    [Test]
    public async Task Hostile_text_is_shown_exactly_as_given()
    {
        await using var report = await OpenReport.OpenAsync(Hostile());

        await report.Page.Locator("[data-run-id='2']").FocusAsync();
        var lane = report.Page.Locator(".lane[data-job]");

        Assert.That(await lane.GetAttributeAsync("data-job"), Is.EqualTo(HostileName));
        Assert.That(await lane.Locator(".job").TextContentAsync(), Is.EqualTo(HostileName));
        Assert.That(await lane.Locator(".route").TextContentAsync(), Is.EqualTo(HostileSource + " \u2192 " + HostileDestination));
        Assert.That(await report.Page.Locator("[data-run-id='2']").GetAttributeAsync("data-status"), Is.EqualTo(HostileStatus));
        Assert.That(await report.Page.Locator("#tip dd").Last.TextContentAsync(), Is.EqualTo(HostileMessage));
        Assert.That(await report.Page.TitleAsync(), Is.EqualTo("</title><script>alert(7)</script>"));
        Assert.That(await report.Page.Locator("table.health td.state").TextContentAsync(), Does.EndWith("</td><script>alert(6)</script>"));
    }
}
