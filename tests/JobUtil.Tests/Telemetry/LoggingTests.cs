using JobUtil.Tests.Support;
using Microsoft.Extensions.Logging;

namespace JobUtil.Tests.Telemetry;

[TestFixture]
public sealed class LoggingTests
{
    private const string Token = "TOKEN-7f3a9c-NEVER-LOG-ME";

    private RunServer _server = null!;

    [OneTimeSetUp]
    public void StartServer() => _server = new RunServer();

    [OneTimeTearDown]
    public void StopServer() => _server.Dispose();

    [SetUp]
    public void ResetServer() => _server.Reset();

    [Test]
    public async Task A_run_logs_its_start_and_its_end_at_Information_with_name_id_status_and_records()
    {
        var logs = new CapturingLoggerProvider();
        using var loggerFactory = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
        using var http = new HttpClient();
        using var job = new Job("orders", _server.Options(o => o.Token = Token), http, loggerFactory: loggerFactory);

        await job.RunAsync((_, _) => Task.FromResult(42L));

        var started = logs.Entries.Single(e => e.EventName == "RunStarted");
        var ended = logs.Entries.Single(e => e.EventName == "RunEnded");
        Assert.Multiple(() =>
        {
            Assert.That(started.Level, Is.EqualTo(LogLevel.Information));
            Assert.That(started.State, Does.Contain(new KeyValuePair<string, object?>("JobName", "orders")));
            Assert.That(started.State, Does.Contain(new KeyValuePair<string, object?>("RunId", 1L)));
            Assert.That(ended.Level, Is.EqualTo(LogLevel.Information));
            Assert.That(ended.State, Does.Contain(new KeyValuePair<string, object?>("Status", "success")));
            Assert.That(ended.State, Does.Contain(new KeyValuePair<string, object?>("RecordsProcessed", (long?)42)));
            Assert.That(ended.State.Select(kv => kv.Key), Does.Contain("DurationMs"));
            Assert.That(logs.Entries.Where(e => e.Level >= LogLevel.Warning), Is.Empty);
        });
    }

    [Test]
    public void A_retry_is_logged_once_at_Warning()
    {
        var logs = new CapturingLoggerProvider();
        using var loggerFactory = LoggerFactory.Create(b => b.AddProvider(logs));
        using var http = new HttpClient();
        _server.PostFailure = 503;
        using var job = new Job("orders", _server.Options(o =>
        {
            o.Token = Token;
            o.MaxRetryAttempts = 1;
            o.RetryBaseDelay = TimeSpan.Zero;
        }), http, loggerFactory: loggerFactory);

        Assert.ThrowsAsync<JobsApiException>(() => job.StartAsync());

        var warnings = logs.Entries.Where(e => e.Level == LogLevel.Warning).ToList();
        Assert.That(warnings, Has.Count.EqualTo(1));
        Assert.That(warnings[0].EventName, Is.EqualTo("RetryScheduled"));
        Assert.That(warnings[0].Message, Does.Contain("503").And.Contain("orders"));
    }

    [Test]
    public void The_token_appears_in_no_log_entry_and_in_no_exception_on_any_path()
    {
        var logs = new CapturingLoggerProvider();
        using var loggerFactory = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
        using var http = new HttpClient();
        _server.PatchFailure = 401;
        using var job = new Job("orders", _server.Options(o =>
        {
            o.Token = Token;
            o.MaxRetryAttempts = 1;
            o.RetryBaseDelay = TimeSpan.Zero;
        }), http, loggerFactory: loggerFactory);

        var thrown = Assert.ThrowsAsync<InvalidOperationException>(() => job.RunAsync((_, _) => Task.FromException<long>(new InvalidOperationException("body failed"))));

        Assert.Multiple(() =>
        {
            Assert.That(logs.Entries, Is.Not.Empty);
            Assert.That(logs.AllText(), Does.Not.Contain(Token));
            Assert.That(thrown!.Data[Job.RecordingFailureKey]!.ToString(), Does.Not.Contain(Token));
            Assert.That(job.ToString(), Does.Not.Contain(Token));
        });
    }
}
