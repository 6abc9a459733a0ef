using System.Collections;
using JobUtil.Testing;

namespace JobUtil.Cli.Tests;

/// <summary>
/// The token from a file or standard input, which other users of the machine cannot read from the process list, and a
/// warning when it comes on the command line.
/// </summary>
public class TokenFileTests
{
    private const string Secret = "a-test-secret-of-at-least-32-characters!";
    private FakeJobsApi _api = null!;
    private string _token = null!;
    private string _file = null!;

    [OneTimeSetUp]
    public void StartServer()
    {
        _api = FakeJobsApi.Start(new FakeJobsApiOptions { JwtSecret = Secret });
        _token = _api.CreateWriterToken();
    }

    [OneTimeTearDown]
    public void StopServer() => _api.Dispose();

    [SetUp]
    public void Reset()
    {
        _api.Reset();
        _file = Path.Combine(Path.GetTempPath(), $"jobutil-token-{Guid.NewGuid():N}");
    }

    [TearDown]
    public void DeleteFile() => File.Delete(_file);

    [TestCase("\n")]
    [TestCase("\r\n")]
    [TestCase("")]
    public async Task The_token_file_option_sends_the_file_without_its_trailing_newline(string newline)
    {
        await File.WriteAllTextAsync(_file, _token + newline);

        var result = await RunAsync(Environment(), "start", "--name", "n", "--source", "s", "--destination", "d", "--token-file", _file);

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(0), result.Stderr);
            Assert.That(SentAuthorization(), Is.EqualTo("Bearer " + _token));
            Assert.That(result.Stderr, Is.Empty);
        });
    }

    [Test]
    public async Task The_token_file_variable_is_read_like_the_option()
    {
        await File.WriteAllTextAsync(_file, _token + "\n");

        var result = await RunAsync(Environment(("JOBUTIL_TOKEN_FILE", _file)), "start", "--name", "n", "--source", "s", "--destination", "d");

        Assert.That(result.ExitCode, Is.EqualTo(0), result.Stderr);
        Assert.That(SentAuthorization(), Is.EqualTo("Bearer " + _token));
    }

    [Test]
    public async Task A_dash_reads_the_token_from_standard_input()
    {
        var result = await RunAsync(Environment(), ["start", "--name", "n", "--source", "s", "--destination", "d", "--token-file", "-"], stdin: _token + "\n");

        Assert.That(result.ExitCode, Is.EqualTo(0), result.Stderr);
        Assert.That(SentAuthorization(), Is.EqualTo("Bearer " + _token));
    }

    [Test]
    public async Task Only_one_trailing_newline_is_trimmed()
    {
        await File.WriteAllTextAsync(_file, _token + "\n\n");

        var result = await RunAsync(Environment(), "list", "--name", "n", "--token-file", _file);

        Assert.That(result.ExitCode, Is.EqualTo(2), "a token ending in a newline is not a JWT: " + result.Stderr);
        Assert.That(_api.Requests, Is.Empty);
    }

    [Test]
    public async Task An_empty_token_file_is_a_usage_error()
    {
        await File.WriteAllTextAsync(_file, "\n");

        var result = await RunAsync(Environment(), "list", "--name", "n", "--token-file", _file);

        Assert.That(result.ExitCode, Is.EqualTo(2));
        Assert.That(result.Stderr, Does.StartWith("jobutil: --token-file: the token read from").And.Contain("is empty"));
    }

    [Test]
    public async Task Token_and_token_file_together_are_a_usage_error()
    {
        await File.WriteAllTextAsync(_file, _token);

        var result = await RunAsync(Environment(), "list", "--name", "n", "--token-file", _file, "--token", _token);

        Assert.That(result.ExitCode, Is.EqualTo(2));
        Assert.That(result.Stderr, Does.Contain("not both"));
        Assert.That(_api.Requests, Is.Empty);
    }

    [Test]
    public async Task Both_token_variables_are_a_usage_error()
    {
        await File.WriteAllTextAsync(_file, _token);

        var result = await RunAsync(Environment(("JOBUTIL_TOKEN_FILE", _file), ("JOBUTIL_TOKEN", _token)), "list", "--name", "n");

        Assert.That(result.ExitCode, Is.EqualTo(2));
        Assert.That(result.Stderr, Does.Contain("JOBUTIL_TOKEN or JOBUTIL_TOKEN_FILE, not both"));
    }

    [Test]
    public async Task The_token_option_still_works_and_warns_that_others_can_see_it()
    {
        var result = await RunAsync(Environment(), "start", "--name", "n", "--source", "s", "--destination", "d", "--token", _token);

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(0), result.Stderr);
            Assert.That(SentAuthorization(), Is.EqualTo("Bearer " + _token));
            Assert.That(result.Stderr, Does.StartWith("jobutil: warning: other users of this machine can see --token").And.Contain("--token-file"));
            Assert.That(result.Stderr, Does.Not.Contain(_token));
        });
    }

    [Test]
    public async Task The_token_variable_does_not_warn()
    {
        var result = await RunAsync(Environment(("JOBUTIL_TOKEN", _token)), "start", "--name", "n", "--source", "s", "--destination", "d");

        Assert.That(result.ExitCode, Is.EqualTo(0), result.Stderr);
        Assert.That(result.Stderr, Is.Empty);
    }

    private string? SentAuthorization() => _api.Requests.Last().Header("Authorization");

    private Hashtable Environment(params (string Name, string Value)[] variables)
    {
        var environment = Cli.Environment(_api.Url);
        foreach (var (name, value) in variables)
        {
            environment[name] = value;
        }

        return environment;
    }

    private static async Task<CliResult> RunAsync(IDictionary environment, params string[] args)
        => await RunAsync(environment, args, stdin: string.Empty);

    private static async Task<CliResult> RunAsync(IDictionary environment, string[] args, string stdin)
    {
        using var input = new StringReader(stdin);
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exitCode = await Program.RunAsync(args, input, stdout, stderr, environment);
        return new CliResult(exitCode, stdout.ToString(), stderr.ToString());
    }
}
