using System.Text.RegularExpressions;
using JobUtil.Reporting;

namespace JobUtil.Report.Tests.Browser;

/// <summary>The page loads nothing from anywhere, and its Content-Security-Policy lets only its own script run.</summary>
public sealed partial class SelfContainedTests
{
    [Test]
    public async Task The_page_requests_nothing_but_itself_and_logs_no_error()
    {
        await using var report = await OpenReport.OpenAsync(Reports.Small());
        await report.Page.Locator("[data-run-id='1']").FocusAsync();

        Assert.That(report.Requests, Is.EqualTo(new[] { new Uri(report.Path).AbsoluteUri }));
        Assert.That(report.ConsoleErrors, Is.Empty, "a CSP violation would be logged here");
        Assert.That(await report.Page.Locator("#tip").IsVisibleAsync(), Is.True, "the report's own script runs under its CSP");
    }

    [Test]
    public async Task The_policy_blocks_any_other_inline_script_and_handler()
    {
        // Tamper with a rendered page: a script and a handler that the policy does not list must not run.
        var html = JobRunsReportHtml.Render(Reports.Small())
            .Replace("</body>", "<script>alert('inline')</script><img src=\"data:,\" onerror=\"alert('handler')\"></body>", StringComparison.Ordinal);
        var path = Path.Combine(TestContext.CurrentContext.WorkDirectory, "reports", "tampered.html");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllTextAsync(path, html);
        await using var report = await OpenReport.OpenAsync(Reports.Small());
        var dialogs = new List<string>();
        report.Page.Dialog += (_, dialog) =>
        {
            dialogs.Add(dialog.Message);
            _ = dialog.DismissAsync();
        };
        var violations = new List<string>();
        report.Page.Console += (_, message) => violations.Add(message.Text);

        await report.Page.GotoAsync(new Uri(path).AbsoluteUri);
        await report.Page.Locator("[data-run-id='1']").FocusAsync();

        Assert.That(dialogs, Is.Empty);
        Assert.That(violations, Has.Some.Contains("Content Security Policy"));
        Assert.That(await report.Page.Locator("#tip").IsVisibleAsync(), Is.True, "the report's own script still runs");
    }

    [Test]
    public void The_policy_allows_no_source_but_the_pages_own_script_and_style()
    {
        var html = JobRunsReportHtml.Render(Reports.Small());

        var policy = PolicyPattern().Match(html).Groups[1].Value;

        Assert.That(policy, Does.StartWith("default-src 'none'; script-src 'sha256-"));
        Assert.That(policy, Does.Not.Contain("unsafe").And.Not.Contain("http").And.Not.Contain("*"));
        Assert.That(html, Does.Not.Contain("http://").And.Not.Contain("https://").And.Not.Contain("src=\"").And.Not.Contain("<link"));
    }

    [GeneratedRegex("<meta http-equiv=\"Content-Security-Policy\" content=\"([^\"]*)\">")]
    private static partial Regex PolicyPattern();
}
