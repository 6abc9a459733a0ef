using System.Text.Json;
using JobUtil.Testing;

namespace JobUtil.Cli.Tests;

public class ListTests : FakeApiFixture
{
    private static readonly DateTimeOffset Start = new(2024, 5, 1, 2, 0, 0, TimeSpan.Zero);
    [Test]
    public async Task Prints_an_aligned_table_of_the_newest_runs_first()
    {
        Api.Seed(
            MostRecentTests.Row("nightly", "success", Start, records: 503),
            MostRecentTests.Row("nightly", "error", Start.AddDays(1), message: "exit code 3: disk\nfull"),
            MostRecentTests.Row("nightly", "in_progress", Start.AddDays(2)),
            MostRecentTests.Row("other", "success", Start));

        var result = await Cli.RunAsync(Cli.Environment(Api.Url), "list", "--name", "nightly");

        Assert.That(result.ExitCode, Is.EqualTo(0), result.Stderr);
        var lines = result.StdoutLines;
        Assert.That(lines, Has.Length.EqualTo(4));
        Assert.Multiple(() =>
        {
            Assert.That(lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries), Is.EqualTo(new[] { "ID", "STATUS", "START", "END", "DURATION", "RECORDS", "MESSAGE" }));
            Assert.That(lines[1], Does.Contain("in_progress").And.Contain("2024-05-03 02:00:00Z"));
            Assert.That(lines[2], Does.Contain("error").And.EndWith("exit code 3: disk full"));
            Assert.That(lines[3], Does.Contain("success").And.Contain("2024-05-01 02:01:00Z").And.Contain("1m00s").And.Contain("503"));

            // Every text column starts where its header does (the message only on the run that has one).
            foreach (var header in new[] { "STATUS", "START", "END" })
            {
                var at = lines[0].IndexOf(header, StringComparison.Ordinal);
                Assert.That(lines.Skip(1).Select(l => l[at - 1] == ' ' && l[at] != ' '), Is.All.True, header);
            }

            Assert.That(lines[2].IndexOf("exit code", StringComparison.Ordinal), Is.EqualTo(lines[0].IndexOf("MESSAGE", StringComparison.Ordinal)));

            // Numbers end where their header does.
            foreach (var header in new[] { "DURATION", "RECORDS" })
            {
                var end = lines[0].IndexOf(header, StringComparison.Ordinal) + header.Length - 1;
                Assert.That(lines.Skip(1).Select(l => l[end] != ' ' && (l.Length == end + 1 || l[end + 1] == ' ')), Is.All.True, header);
            }
        });
    }

    [Test]
    public async Task Json_prints_one_parsable_line_per_run_and_limit_caps_the_count()
    {
        Api.Seed(Enumerable.Range(0, 5).Select(i => MostRecentTests.Row("nightly", "success", Start.AddDays(i), records: i)).ToArray());

        var result = await Cli.RunAsync(Cli.Environment(Api.Url), "list", "--name", "nightly", "--json", "--limit", "3");

        Assert.That(result.ExitCode, Is.EqualTo(0), result.Stderr);
        var runs = result.StdoutLines.Select(l => JsonDocument.Parse(l).RootElement).ToArray();
        Assert.Multiple(() =>
        {
            Assert.That(runs.Select(r => r.GetProperty("records_processed").GetInt64()), Is.EqualTo(new long[] { 4, 3, 2 }));
            Assert.That(runs.Select(r => r.GetProperty("status").GetString()), Is.All.EqualTo("success"));
            Assert.That(Api.Requests.Single().QueryParameters, Does.Contain(new KeyValuePair<string, string>("limit", "3")));
        });
    }

    [Test]
    public async Task An_empty_history_prints_only_the_header()
    {
        var result = await Cli.RunAsync(Cli.Environment(Api.Url), "list", "--name", "nightly");

        Assert.That(result.ExitCode, Is.EqualTo(0));
        Assert.That(result.StdoutLines, Has.Length.EqualTo(1));
    }
}
