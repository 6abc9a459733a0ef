using System.Collections;

namespace JobUtil.Cli.Tests;

/// <summary>Wrong command lines and settings: exit code 2, the problem and a pointer to --help on stderr, nothing sent or run.</summary>
public class BadArgumentsTests
{
    private const string Url = "http://127.0.0.1:9/jobs";

    private static IEnumerable<TestCaseData> BadCommandLines()
    {
        yield return new TestCaseData((object)new[] { "most-recent" }).SetName("most-recent without --name");
        yield return new TestCaseData((object)new[] { "most-recent", "--name", " " }).SetName("most-recent with a blank --name");
        yield return new TestCaseData((object)new[] { "most-recent", "--name", "n", "--format", "rfc" }).SetName("most-recent with an unknown --format");
        yield return new TestCaseData((object)new[] { "start", "--name", "n", "--source", "s" }).SetName("start without --destination");
        yield return new TestCaseData((object)new[] { "result", "--id", "x", "--status", "success" }).SetName("result with a non-numeric --id");
        yield return new TestCaseData((object)new[] { "result", "--id", "1", "--status", "done" }).SetName("result with a status other than success or error");
        yield return new TestCaseData((object)new[] { "result", "--id", "1", "--status", "success", "--records", "-1" }).SetName("result with negative --records");
        yield return new TestCaseData((object)new[] { "run", "--name", "n", "--source", "s", "--destination", "d" }).SetName("run without a command");
        yield return new TestCaseData((object)new[] { "run", "--name", "n", "--source", "s", "--destination", "d", "--default-since", "yesterday", "--", "true" }).SetName("run with an unreadable --default-since");
        yield return new TestCaseData((object)new[] { "list", "--name", "n", "--limit", "0" }).SetName("list with --limit 0");
        yield return new TestCaseData((object)new[] { "frobnicate" }).SetName("an unknown command");
        yield return new TestCaseData((object)Array.Empty<string>()).SetName("no command at all");
    }

    private static IEnumerable<TestCaseData> DurationsTheLibraryRefuses()
    {
        yield return new TestCaseData((object)new[] { "recover", "--older-than", "999999d" }, "--older-than").SetName("recover --older-than beyond 365 days");
        yield return new TestCaseData((object)new[] { "recover", "--older-than", "366d" }, "--older-than").SetName("recover --older-than of 366 days");
        yield return new TestCaseData((object)new[] { "run", "--name", "n", "--source", "s", "--destination", "d", "--lookback", "400d", "--", "true" }, "--lookback").SetName("run --lookback beyond 365 days");
        yield return new TestCaseData((object)new[] { "run", "--name", "n", "--source", "s", "--destination", "d", "--heartbeat", "2d", "--", "true" }, "--heartbeat").SetName("run --heartbeat beyond a day");
        yield return new TestCaseData((object)new[] { "run", "--name", "n", "--source", "s", "--destination", "d", "--timeout", "999999d", "--", "true" }, "--timeout").SetName("run --timeout beyond 30 days");
        yield return new TestCaseData((object)new[] { "most-recent", "--name", "nightly\uD800" }, "--name").SetName("a --name with a lone surrogate");
        yield return new TestCaseData((object)new[] { "check", "--name", "\uDC00", "--max-age", "1d" }, "--name").SetName("a fleet --name with a lone surrogate");
    }

    [TestCaseSource(nameof(DurationsTheLibraryRefuses))]
    public async Task A_value_the_library_would_refuse_is_a_usage_error_naming_the_option_and_nothing_is_sent(string[] args, string option)
    {
        // Port 9 (discard) answers nothing: a request sent would fail with exit 1, not 2.
        var result = await Cli.RunAsync(Cli.Environment(Url), args);

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(2), result.Stderr);
            Assert.That(result.Stderr, Does.StartWith("jobutil: ").And.Contain(option));
            Assert.That(result.Stderr.TrimEnd(), Does.EndWith("--help' for usage."));
            Assert.That(result.Stdout, Is.Empty);
        });
    }

    [TestCaseSource(nameof(BadCommandLines))]
    public async Task A_bad_command_line_exits_2_with_the_problem_and_a_pointer_to_help_on_stderr(string[] args)
    {
        var result = await Cli.RunAsync(Cli.Environment(Url), args);

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(2));
            Assert.That(result.Stderr, Does.StartWith("jobutil: "));
            Assert.That(result.Stderr.TrimEnd(), Does.EndWith("--help' for usage."));
            Assert.That(result.Stderr, Does.Not.Contain("Usage:"), "one line points to --help instead of the whole usage");
            Assert.That(result.Stdout, Is.Empty);
        });
    }

    [Test]
    public async Task A_missing_url_exits_2_naming_the_option_and_the_variable()
    {
        var result = await Cli.RunAsync(new Hashtable(), "most-recent", "--name", "n");

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(2));
            Assert.That(result.Stderr, Does.Contain("--url").And.Contain("JOBUTIL_URL"));
        });
    }

    [TestCase("status")]
    [TestCase("list", "--name", "n")]
    public async Task A_url_that_names_no_table_exits_2_at_once_and_sends_nothing(params string[] args)
    {
        using var api = JobUtil.Testing.FakeJobsApi.Start();

        var result = await Cli.RunAsync(Cli.Environment(api.BaseUrl + "/"), args);

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(2));
            Assert.That(result.Stderr, Does.StartWith("jobutil: Url must be the full URL of the jobs table, such as https://host/jobs").And.Contain("names no table"));
            Assert.That(api.Requests, Is.Empty);
        });
    }

    [Test]
    public async Task An_invalid_url_exits_2()
    {
        var result = await Cli.RunAsync(new Hashtable(), "list", "--name", "n", "--url", "ftp://host/jobs");

        Assert.That(result.ExitCode, Is.EqualTo(2));
        Assert.That(result.Stderr, Does.Contain("http"));
    }

    [Test]
    public async Task A_token_over_plain_http_to_a_remote_host_exits_2_without_printing_the_token()
    {
        const string token = "secret.jwt.value";
        var result = await Cli.RunAsync(new Hashtable { ["JOBUTIL_TOKEN"] = token }, "list", "--name", "n", "--url", "http://jobs.example.com/jobs");

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(2));
            Assert.That(result.Stderr, Does.Contain("--allow-insecure-transport"));
            Assert.That(result.Stderr + result.Stdout, Does.Not.Contain(token));
        });
    }

    [Test]
    public async Task A_non_numeric_JOBUTIL_RETRIES_exits_2()
    {
        var result = await Cli.RunAsync(new Hashtable { ["JOBUTIL_URL"] = Url, ["JOBUTIL_RETRIES"] = "many" }, "list", "--name", "n");

        Assert.That(result.ExitCode, Is.EqualTo(2));
        Assert.That(result.Stderr, Does.Contain("JOBUTIL_RETRIES"));
    }

    [Test]
    public async Task Run_with_bad_arguments_does_not_start_the_command()
    {
        var marker = Path.Combine(Path.GetTempPath(), $"jobutil-test-{Guid.NewGuid():N}");

        var result = await Cli.RunAsync(new Hashtable(), "run", "--name", "n", "--source", "s", "--destination", "d", "--", "touch", marker);

        Assert.That(result.ExitCode, Is.EqualTo(2));
        Assert.That(File.Exists(marker), Is.False, "the command must not run when the settings are wrong");
    }

    [Test]
    public async Task Help_goes_to_stdout_and_exits_0()
    {
        var result = await Cli.RunAsync("run", "--help");

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(0));
            Assert.That(result.Stdout, Does.Contain("jobutil run").And.Contain("--default-since"));
        });
    }
}
