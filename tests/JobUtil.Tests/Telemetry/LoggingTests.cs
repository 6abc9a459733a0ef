using JobUtil.Tests.Support;
using Microsoft.Extensions.Logging;

namespace JobUtil.Tests.Telemetry;

[TestFixture]
public sealed class LoggingTests : ApiFixture
{
    private const string Token = "TOKEN-7f3a9c-NEVER-LOG-ME";

    [Test]
    public async Task A_run_logs_its_start_and_its_end_at_Information_with_name_id_status_and_records()
    {
        var logs = new CapturingLoggerFactory();
        using var job = new Job("orders", Options(o => o.Token = Token), Http, Clock, logs);

        await job.RunAsync((_, _) => Task.FromResult(42L));

        var started = logs.Entries.Single(e => e.EventName == "RunStarted");
        var ended = logs.Entries.Single(e => e.EventName == "RunEnded");
        Assert.Multiple(() =>
        {
            Assert.That(started.Level, Is.EqualTo(LogLevel.Information));
            Assert.That(started.Values["JobName"], Is.EqualTo("orders"));
            Assert.That(started.Values["RunId"], Is.EqualTo(1L));
            Assert.That(ended.Level, Is.EqualTo(LogLevel.Information));
            Assert.That(ended.Values["Status"], Is.EqualTo("success"));
            Assert.That(ended.Values["RecordsProcessed"], Is.EqualTo(42L));
            Assert.That(ended.Values.Keys, Does.Contain("DurationMs"));
            Assert.That(logs.Entries.Where(e => e.Level >= LogLevel.Warning), Is.Empty);
        });
    }

    [Test]
    public async Task A_run_ended_without_a_count_logs_no_record_count_not_null()
    {
        var logs = new CapturingLoggerFactory();
        using var job = new Job("orders", Options(), Http, Clock, logs);
        await job.StartAsync();

        await job.ResultAsync(JobStatus.Error, message: "failed");

        var ended = logs.Entries.Single(e => e.EventName == "RunEnded");
        Assert.Multiple(() =>
        {
            Assert.That(ended.Values["RecordsProcessed"], Is.Null);
            Assert.That(ended.Message, Does.Contain("ended with status error, no record count, after"));
            Assert.That(ended.Message, Does.Not.Contain("(null)"));
        });
    }

    [Test]
    public void A_retry_is_logged_once_at_Warning()
    {
        var logs = new CapturingLoggerFactory();
        Api.FailNext(2, 503, "POST");
        using var job = new Job("orders", Options(RetryOnceWithToken), Http, Clock, logs);

        Assert.ThrowsAsync<JobsApiException>(() => job.StartAsync());

        var warnings = logs.Entries.Where(e => e.Level == LogLevel.Warning).ToList();
        Assert.That(warnings, Has.Count.EqualTo(1));
        Assert.That(warnings[0].EventName, Is.EqualTo("RetryScheduled"));
        Assert.That(warnings[0].Message, Does.Contain("503").And.Contain("orders"));
    }

    [Test]
    public void The_token_appears_in_no_log_entry_and_in_no_exception_on_any_path()
    {
        var logs = new CapturingLoggerFactory();
        Api.FailNext(2, 401, "PATCH");
        using var job = new Job("orders", Options(RetryOnceWithToken), Http, Clock, logs);

        var thrown = Assert.ThrowsAsync<InvalidOperationException>(() => job.RunAsync((_, _) => Task.FromException<long>(new InvalidOperationException("body failed"))));

        Assert.Multiple(() =>
        {
            Assert.That(logs.Entries, Is.Not.Empty);
            Assert.That(logs.AllText(), Does.Not.Contain(Token));
            Assert.That(thrown!.Data[Job.RecordingFailureKey]!.ToString(), Does.Not.Contain(Token));
            Assert.That(job.ToString(), Does.Not.Contain(Token));
        });
    }

    private static void RetryOnceWithToken(JobOptions options)
    {
        options.Token = Token;
        options.MaxRetryAttempts = 1;
        options.RetryBaseDelay = TimeSpan.Zero;
    }
}
