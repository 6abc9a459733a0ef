using System.Diagnostics;
using System.Globalization;
using Hangfire;
using Hangfire.PostgreSql;
using JobUtil.Testing;

namespace JobUtil.Hangfire.Tests;

/// <summary>
/// A server killed (SIGKILL) mid-job: its run's heartbeats stop; Hangfire hands the job to the other server once its
/// invisibility timeout has passed; that server's start first recovers the dead run (ended once, as error), then runs
/// the job under a run of its own with the same watermark, the overlap guard on. The killed server is a process of its
/// own, so staleness is real time here: the test waits on the other server's signal with a deadline.
/// </summary>
public class CrashTests
{
    private const string JobName = "CrashJobs.CopyAsync";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan StaleAfter = TimeSpan.FromSeconds(1);
    private static readonly DateTimeOffset LastSuccess = DateTimeOffset.Parse("2024-03-01T02:00:00Z", CultureInfo.InvariantCulture);

    /// <summary>
    /// The crash test's storage. The sliding invisibility timeout keeps a job invisible while its server lives; once the
    /// server is dead, the job becomes visible again 4 s after the last renewal, by when the dead run has been silent for
    /// longer than <see cref="StaleAfter"/>, so the other server's start recovers it rather than being refused.
    /// </summary>
    internal static PostgreSqlStorageOptions Storage(string schema) => new()
    {
        SchemaName = schema,
        PrepareSchemaIfNecessary = true,
        QueuePollInterval = TimeSpan.FromMilliseconds(50),
        InvisibilityTimeout = TimeSpan.FromSeconds(4),
        UseSlidingInvisibilityTimeout = true,
    };

    [Test]
    public async Task A_job_whose_server_is_killed_mid_run_is_recovered_once_and_re_run_on_the_other_server_with_the_same_watermark()
    {
        using var api = FakeJobsApi.Start(new FakeJobsApiOptions { OneRunInProgressPerName = true });
        api.Seed(new FakeJobRow
        {
            Name = JobName, Status = "success", Source = "crash_source", Destination = "crash_destination",
            StartDate = LastSuccess, EndDate = LastSuccess.AddMinutes(1),
        });
        var storage = Storage(HangfireSetUp.NewSchema().SchemaName);
        var signals = new Signals();

        // Server B exists (to enqueue into the shared storage) but runs no job until server A is dead.
        await using var serverB = await TestServer.StartAsync("server-b", api.Url, storage, signals, o =>
        {
            o.HeartbeatInterval = ServerNode.HeartbeatInterval;
            o.RecoverStaleRunsOlderThan = StaleAfter;
        }, start: false);
        var jobId = serverB.Client.Enqueue<CrashJobs>(j => j.CopyAsync(null));
        using var serverA = ServerNode.Start(storage, api.Url);
        try
        {
            var started = await ReadStartedLineAsync(serverA);
            var killedRunId = long.Parse(started[1], CultureInfo.InvariantCulture);
            Assert.That(started[2], Is.EqualTo(LastSuccess.ToString("O", CultureInfo.InvariantCulture)), "server A's run got the watermark");

            serverA.Kill(entireProcessTree: true);
            await serverA.WaitForExitAsync();
            var lastBeat = api.Rows.Single(r => r.Id == killedRunId).HeartbeatAt;
            await serverB.StartAsync();

            // A start refused by the overlap guard (had the dead run not been stale yet) would fail, and be retried.
            Completion completion;
            do
            {
                completion = await signals.NextAsync(Deadline);
            }
            while (completion.Exception is JobAlreadyRunningException);

            using var job = new Job(JobName, new JobOptions { Url = api.Url, Source = "crash_source", Destination = "crash_destination", MaxRetryAttempts = 0 });
            var again = await job.RecoverStaleRunsAsync(StaleAfter);

            Assert.That(completion.Exception, Is.Null);
            var rerun = signals.Executions.Single();
            var killed = api.Rows.Single(r => r.Id == killedRunId);
            Assert.Multiple(() =>
            {
                Assert.That(rerun.JobId, Is.EqualTo(jobId), "the same Hangfire job ran again");
                Assert.That(rerun.ServerId, Does.StartWith("server-b"));
                Assert.That(rerun.Run!.Watermark, Is.EqualTo(LastSuccess), "the killed run never succeeded, so the watermark did not move");
                Assert.That(rerun.Run.RunId, Is.Not.EqualTo(killedRunId));
                Assert.That(api.Rows.Single(r => r.Id == rerun.Run.RunId).Status, Is.EqualTo("success"));

                Assert.That(killed.Status, Is.EqualTo("error"), "recovery ended the killed run");
                Assert.That(killed.Message, Does.StartWith("abandoned: last seen ").And.Contain("its last heartbeat"));
                Assert.That(killed.HeartbeatAt, Is.EqualTo(lastBeat), "its heartbeats stopped with its server");
                Assert.That(again, Is.Empty, "once");
                Assert.That(api.Rows, Has.Count.EqualTo(3), "the seeded success, the killed run, the re-run");
            });
        }
        finally
        {
            if (!serverA.HasExited)
            {
                serverA.Kill(entireProcessTree: true);
            }
        }
    }

    /// <summary>Waits for server A's job to announce its run: <c>started RUN_ID WATERMARK</c>.</summary>
    private static async Task<string[]> ReadStartedLineAsync(Process server)
    {
        using var deadline = new CancellationTokenSource(Deadline);
        while (await server.StandardOutput.ReadLineAsync(deadline.Token) is { } line)
        {
            if (line.StartsWith(ServerNode.StartedLine + " ", StringComparison.Ordinal))
            {
                return line.Split(' ');
            }
        }

        throw new InvalidOperationException($"Server A exited ({server.ExitCode}) before its job started: {await server.StandardError.ReadToEndAsync()}");
    }
}
