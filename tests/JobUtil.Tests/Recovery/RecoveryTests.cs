using System.Net.Http;
using JobUtil.Internal;
using JobUtil.Testing;
using JobUtil.Tests.Resilience;
using JobUtil.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace JobUtil.Tests.Recovery;

/// <summary>Stale runs: ended as error once, by one conditional update each; live and other jobs' runs are left alone.</summary>
public sealed class RecoveryTests : ApiFixture
{
    private static readonly TimeSpan Threshold = TimeSpan.FromMinutes(5);

    [Test]
    public async Task A_jobs_stale_runs_are_ended_as_error_saying_when_and_where_they_were_last_seen()
    {
        var now = Clock.GetUtcNow();
        var seeded = Api.Seed(
            Running("orders", now.AddHours(-1), heartbeat: now.AddMinutes(-10), host: "etl-1"),
            Running("orders", now.AddHours(-2), heartbeat: null, host: null),
            Running("orders", now.AddHours(-3), heartbeat: now.AddMinutes(-1), host: "etl-2"),
            Running("customers", now.AddHours(-5), heartbeat: null, host: "etl-3"));
        using var job = NewJob();

        var ended = await job.RecoverStaleRunsAsync(Threshold);

        Assert.That(ended.Select(r => r.Id), Is.EqualTo(new[] { seeded[1].Id, seeded[0].Id }), "oldest first");
        var rows = Api.Rows.ToDictionary(r => r.Id);
        Assert.Multiple(() =>
        {
            Assert.That(ended.Select(r => r.Status), Has.All.EqualTo(JobStatus.Error));
            Assert.That(rows[seeded[0].Id].Message, Is.EqualTo("abandoned: last seen 2024-03-01T01:50:00.000000Z (its last heartbeat) on etl-1"));
            Assert.That(rows[seeded[1].Id].Message, Is.EqualTo("abandoned: last seen 2024-03-01T00:00:00.000000Z (its start; it sent no heartbeat) on an unknown host"));
            Assert.That(rows[seeded[0].Id].EndDate, Is.EqualTo(now));
            Assert.That(rows[seeded[2].Id].Status, Is.EqualTo("in_progress"), "a run with a fresh heartbeat is alive");
            Assert.That(rows[seeded[3].Id].Status, Is.EqualTo("in_progress"), "another job's run is not this job's to recover");
            Assert.That(Count("PATCH"), Is.EqualTo(2), "one PATCH per stale run");
            Assert.That(Api.Requests.Where(r => r.Method == "PATCH").Select(r => r.Query), Has.All.Contain("status=eq.in_progress").And.All.Contain("or=("));
        });
    }

    [Test]
    public async Task Two_recoverers_end_each_stale_run_once()
    {
        var now = Clock.GetUtcNow();
        Api.Seed(
            Running("orders", now.AddHours(-1), heartbeat: now.AddMinutes(-10), host: "etl-1"),
            Running("orders", now.AddHours(-2), heartbeat: null, host: null));
        using var first = NewJob();
        using var second = NewJob();

        var both = await Task.WhenAll(first.RecoverStaleRunsAsync(Threshold), second.RecoverStaleRunsAsync(Threshold));
        var again = await first.RecoverStaleRunsAsync(Threshold);

        Assert.That(both.SelectMany(r => r).Select(r => r.Id).ToList(), Is.Unique.And.Count.EqualTo(2));
        Assert.That(again, Is.Empty);
        Assert.That(Api.Rows.Select(r => r.Status), Has.All.EqualTo("error"));
    }

    [Test]
    public async Task A_run_that_sends_a_heartbeat_between_the_lookup_and_the_update_is_not_ended()
    {
        var now = Clock.GetUtcNow();
        var run = Api.Seed(Running("orders", now.AddHours(-1), heartbeat: now.AddMinutes(-10), host: "etl-1")).Single();
        var api = new JobsApi(Http, Options(), Clock, NullLogger.Instance, "orders");
        var cutoff = now - Threshold;

        var stale = await api.FindStaleRunsAsync(["orders"], cutoff, CancellationToken.None);
        Assert.That(await api.HeartbeatAsync(run.Id, now, CancellationToken.None), Is.True);
        var ended = await api.EndStaleRunAsync(stale.Single(), cutoff, now, CancellationToken.None);

        Assert.That(ended, Is.Null);
        Assert.That(Row.Status, Is.EqualTo("in_progress"));
    }

    [Test]
    public async Task The_fleet_recovers_every_jobs_stale_runs_or_those_of_the_jobs_named()
    {
        var now = Clock.GetUtcNow();
        Api.Seed(
            Running("orders", now.AddHours(-1), heartbeat: null, host: null),
            Running("customers", now.AddHours(-1), heartbeat: now.AddMinutes(-6), host: "etl-1"),
            Running("invoices", now.AddHours(-1), heartbeat: null, host: null));
        var fleet = new JobFleet(Options(), Http, Clock);

        var named = await fleet.RecoverStaleRunsAsync(Threshold, ["customers"]);
        var all = await fleet.RecoverStaleRunsAsync(Threshold);

        Assert.That(named.Select(r => r.Name), Is.EqualTo(new[] { "customers" }));
        Assert.That(all.Select(r => r.Name), Is.EquivalentTo(new[] { "orders", "invoices" }));
        Assert.That(Api.Rows.Select(r => r.Status), Has.All.EqualTo("error"));
    }

    [Test]
    public void A_threshold_that_is_not_longer_than_zero_is_refused_before_anything_is_sent()
    {
        using var job = NewJob();

        Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => job.RecoverStaleRunsAsync(TimeSpan.Zero));
        Assert.That(Api.Requests, Is.Empty);
    }

    [Test]
    public void Recovery_against_a_table_without_the_heartbeat_columns_names_the_column_and_the_schema()
    {
        using var api = FakeJobsApi.Start(new FakeJobsApiOptions { HeartbeatColumns = false });
        using var job = new Job("orders", new JobOptions { Url = api.Url, Source = "crm", Destination = "warehouse", MaxRetryAttempts = 0 }, Http, Clock);

        var e = Assert.ThrowsAsync<JobsApiException>(() => job.RecoverStaleRunsAsync(Threshold));

        Assert.That(e!.Message, Does.Contain("heartbeat_at").And.Contain("db/schema.sql"));
    }

    [Test]
    public async Task WatermarkLookback_is_taken_off_the_watermark_RunAsync_hands_the_body()
    {
        var watermark = Clock.GetUtcNow().AddDays(-1);
        Api.Seed(new FakeJobRow { Name = "orders", StartDate = watermark, EndDate = watermark.AddMinutes(1), Status = "success", Source = "crm", Destination = "warehouse" });
        using var job = NewJob(o => o.WatermarkLookback = TimeSpan.FromMinutes(10));
        DateTimeOffset? handed = null;
        Assert.That(await job.MostRecentAsync(), Is.EqualTo(watermark), "MostRecentAsync itself is unchanged");

        await job.RunAsync((since, _) =>
        {
            handed = since;
            return Task.FromResult(0L);
        });

        Assert.That(handed, Is.EqualTo(watermark.AddMinutes(-10)));
    }

    private static FakeJobRow Running(string name, DateTimeOffset start, DateTimeOffset? heartbeat, string? host)
        => new() { Name = name, StartDate = start, Source = "crm", Destination = "warehouse", HeartbeatAt = heartbeat, Host = host };
}

/// <summary>The overlap guard with recovery: a crashed run blocks the next start until recovery ends it.</summary>
public sealed class GuardCrashRecoveryTests
{
    [Test]
    public async Task A_crashed_run_blocks_the_guarded_job_until_recovery_ends_it_then_the_next_run_starts()
    {
        using var api = FakeJobsApi.Start(new FakeJobsApiOptions { OneRunInProgressPerName = true });
        using var http = new HttpClient();
        var clock = new ObservableClock();
        JobOptions Options(TimeSpan? recover) => new()
        {
            Url = api.Url, Source = "crm", Destination = "warehouse", MaxRetryAttempts = 0,
            HeartbeatInterval = TimeSpan.FromSeconds(30), RecoverStaleRunsOlderThan = recover,
        };

        // A node starts a run and dies: its heartbeats stop, and nobody records an outcome.
        using var crashed = new Job("orders", Options(null), http, clock);
        var lost = await crashed.StartRunAsync();
        clock.Advance(TimeSpan.FromSeconds(30));
        await lost.Heartbeats!.Last;
        lost.Heartbeats.Dispose();

        using var plain = new Job("orders", Options(null), http, clock);
        Assert.ThrowsAsync<JobAlreadyRunningException>(() => plain.StartRunAsync(), "the guard refuses while the crashed run is in progress");

        using var recovering = new Job("orders", Options(TimeSpan.FromMinutes(2)), http, clock);
        Assert.ThrowsAsync<JobAlreadyRunningException>(() => recovering.StartRunAsync(), "not stale yet: one minute since its last heartbeat is within the threshold");

        clock.Advance(TimeSpan.FromMinutes(3));
        await using var next = await recovering.StartRunAsync();

        var old = api.Rows.Single(r => r.Id == lost.Id);
        Assert.Multiple(() =>
        {
            Assert.That(old.Status, Is.EqualTo("error"));
            Assert.That(old.Message, Does.StartWith("abandoned: last seen").And.Contain("its last heartbeat").And.EndWith(Environment.MachineName));
            Assert.That(next.Record.Status, Is.EqualTo(JobStatus.InProgress));
            Assert.That(api.Rows.Count(r => r.Status == "in_progress"), Is.EqualTo(1));
        });
        await next.SucceedAsync(5);
    }
}
