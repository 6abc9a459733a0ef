namespace JobUtil.Report.Tests.Browser;

/// <summary>The health table: first on the page, most urgent job first, state shown as text and icon.</summary>
public sealed class HealthTableTests
{
    [Test]
    public async Task The_health_table_comes_before_the_timeline_most_urgent_first()
    {
        await using var report = await OpenReport.OpenAsync(Reports.Small());

        var headings = await report.Page.Locator("h2").AllTextContentsAsync();
        var rows = await report.Page.Locator("table.health tbody tr").EvaluateAllAsync<string[]>(
            "rows => rows.map(r => r.dataset.health + ' ' + r.querySelector('th').textContent)");

        Assert.That(headings, Is.EqualTo(new[] { "Health", "Timeline" }));
        Assert.That(rows, Is.EqualTo(new[] { "failing inventory_sync", "late late_job", "healthy orders_etl" }));
    }

    [Test]
    public async Task A_row_shows_the_state_its_reason_and_the_latest_run_and_links_to_the_lane()
    {
        await using var report = await OpenReport.OpenAsync(Reports.Small());
        var row = report.Page.Locator("table.health tbody tr").First;

        var cells = await row.Locator("td, th").AllInnerTextsAsync();
        await row.Locator("a").ClickAsync();
        var target = await report.Page.EvaluateAsync<string>("() => document.querySelector(':target').dataset.job");

        Assert.That(cells, Is.EqualTo(new[] { "\u2716 failing", "inventory_sync", "the last finished run failed", "in_progress, started 2026-11-29 18:00:00 UTC" }));
        Assert.That(target, Is.EqualTo("inventory_sync"));
    }
}
