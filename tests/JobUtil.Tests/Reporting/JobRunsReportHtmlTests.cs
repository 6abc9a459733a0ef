using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using JobUtil.Reporting;

namespace JobUtil.Tests.Reporting;

/// <summary>
/// The runs report's page as either build of the library writes it (these tests also run against netstandard2.0):
/// its policy names its own script by hash, and its run details are valid JSON. The browser tests live in
/// JobUtil.Report.Tests.
/// </summary>
public sealed class JobRunsReportHtmlTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 28, 0, 0, 0, TimeSpan.Zero);

    private static string Page() => JobRunsReportHtml.Render(new JobRunsReport(Start.AddDays(1), Start, Start.AddDays(1),
    [
        new JobRunsLane("nightly",
        [
            new JobRecord(1, "nightly", Start.AddHours(1), Start.AddHours(2), "</script>\u2028", JobStatus.Error, 3, "crm", "dw"),
            new JobRecord(2, "nightly", Start.AddHours(20), null, null, JobStatus.InProgress, null, "crm", "dw"),
        ]),
    ]));

    [Test]
    public void The_policy_allows_the_pages_script_by_the_sha256_of_its_exact_text()
    {
        var html = Page();

        var script = Regex.Match(html, "<script>(.*?)</script>", RegexOptions.Singleline).Groups[1].Value;
        var policy = Regex.Match(html, "http-equiv=\"Content-Security-Policy\" content=\"([^\"]*)\"").Groups[1].Value;
        using var sha = SHA256.Create();
        var hash = Convert.ToBase64String(sha.ComputeHash(Encoding.UTF8.GetBytes(script)));

        Assert.That(script, Does.Contain("run-details"));
        Assert.That(policy, Does.Contain($"script-src 'sha256-{hash}'"));
    }

    [Test]
    public void The_run_details_are_json_by_run_id_that_cannot_end_their_block()
    {
        var html = Page();

        var json = Regex.Match(html, "<script type=\"application/json\" id=\"run-details\">(.*?)</script>", RegexOptions.Singleline).Groups[1].Value;
        using var details = JsonDocument.Parse(json);

        Assert.That(json, Does.Not.Contain("<").And.Not.Contain("\u2028"));
        Assert.That(details.RootElement.GetProperty("1")[4].GetString(), Is.EqualTo("</script>\u2028"));
        Assert.That(details.RootElement.GetProperty("2")[1].ValueKind, Is.EqualTo(JsonValueKind.Null), "no end while in progress");
        Assert.That(details.RootElement.GetProperty("2")[2].GetString(), Is.EqualTo("4h 00m so far"));
    }
}
