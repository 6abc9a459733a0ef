using Microsoft.Playwright;

namespace JobUtil.Report.Tests.Browser;

/// <summary>A run's details on hover or keyboard focus, in UTC or in the viewer's local time.</summary>
public sealed class TooltipTests
{
    private static Task<string> TipAsync(OpenReport report) => report.Page.Locator("#tip").InnerTextAsync();

    [Test]
    public async Task Keyboard_focus_on_a_bar_shows_its_id_start_end_duration_records_and_message()
    {
        await using var report = await OpenReport.OpenAsync(Reports.Small());

        await report.Page.Locator("[data-run-id='3']").FocusAsync();
        var tip = await TipAsync(report);

        Assert.That(await report.Page.Locator("#tip").IsVisibleAsync(), Is.True);
        Assert.That(tip, Does.Contain("Run 3 \u2014 error"));
        Assert.That(tip, Does.Contain("Start\n2026-11-29 12:00:00 UTC"));
        Assert.That(tip, Does.Contain("End\n2026-11-29 12:05:07 UTC"));
        Assert.That(tip, Does.Contain("Duration\n5m 07s"));
        Assert.That(tip, Does.Contain("Records\n0"));
        Assert.That(tip, Does.Contain("Message\nconnection refused by 10.0.0.7:5432"));
        Assert.That(await report.Page.Locator("[data-run-id='3']").GetAttributeAsync("aria-describedby"), Is.EqualTo("tip"));
        await report.AttachScreenshotAsync("The tooltip of a failed run, shown on keyboard focus.");
    }

    [Test]
    public async Task Tab_reaches_the_bars_and_arrow_keys_move_along_a_lane()
    {
        await using var report = await OpenReport.OpenAsync(Reports.Small());

        await report.Page.Locator("[data-run-id='1']").FocusAsync();
        await report.Page.Keyboard.PressAsync("ArrowRight");
        var afterRight = await report.Page.EvaluateAsync<string>("() => document.activeElement.dataset.runId");
        await report.Page.Keyboard.PressAsync("Tab");
        var afterTab = await report.Page.EvaluateAsync<string>("() => document.activeElement.dataset.runId");
        var tip = await TipAsync(report);

        Assert.That(afterRight, Is.EqualTo("2"));
        Assert.That(afterTab, Is.EqualTo("3"));
        Assert.That(tip, Does.Contain("Run 3"));
    }

    [Test]
    public async Task Hovering_a_bar_shows_it_and_escape_hides_it()
    {
        await using var report = await OpenReport.OpenAsync(Reports.Small());

        await report.Page.Locator("[data-run-id='11']").HoverAsync();
        var tip = await TipAsync(report);
        await report.Page.Keyboard.PressAsync("Escape");

        Assert.That(tip, Does.Contain("Run 11 \u2014 in_progress"));
        Assert.That(tip, Does.Contain("End\nin progress"));
        Assert.That(tip, Does.Contain("Duration\n6h 00m so far"));
        Assert.That(tip, Does.Contain("Records\nnot recorded"));
        Assert.That(await report.Page.Locator("#tip").IsHiddenAsync(), Is.True);
    }

    [Test]
    public async Task The_viewer_can_switch_every_time_to_local_time_and_back()
    {
        await using var report = await OpenReport.OpenAsync(Reports.Small(), timezoneId: "Asia/Dhaka");

        await report.Page.Locator("#local-time").CheckAsync();
        var tick = await report.Page.Locator(".axis text[data-utc='2026-11-28T00:00:00Z']").TextContentAsync();
        var localMidnight = await report.Page.Locator(".axis text[data-utc='2026-11-28T18:00:00Z']").TextContentAsync();
        await report.Page.Locator("[data-run-id='3']").FocusAsync();
        var localTip = await TipAsync(report);
        await report.Page.Locator("#local-time").UncheckAsync();
        var utcTick = await report.Page.Locator(".axis text[data-utc='2026-11-28T00:00:00Z']").TextContentAsync();

        // Dhaka is six hours ahead of UTC all year: midnight UTC is six in the morning there, 18:00 UTC the next midnight.
        Assert.That(tick, Is.EqualTo("06:00"));
        Assert.That(localMidnight, Is.EqualTo("Nov 29"));
        Assert.That(localTip, Does.Contain("11/29/2026, 06:00:00 PM GMT+6"));
        Assert.That(utcTick, Is.EqualTo("Nov 28"));
    }
}
