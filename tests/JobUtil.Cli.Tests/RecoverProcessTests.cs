using System.Diagnostics;
using JobUtil.Testing;

namespace JobUtil.Cli.Tests;

/// <summary>
/// Heartbeats, a crash and recovery with real processes, and --timeout. Staleness is real time here (jobutil's own
/// clock), so every wait is on observable state (rows, exits) with a deadline.
/// </summary>
[NonParallelizable]
public class RecoverProcessTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Test]
    public async Task A_killed_run_stops_its_heartbeat_is_recovered_as_error_and_the_guarded_job_then_runs_again()
    {
        using var api = FakeJobsApi.Start(new FakeJobsApiOptions { OneRunInProgressPerName = true });
        string? commandId = null;
        try
        {
            using (var jobutil = JobUtilProcess.Start(api.Url, "run", "--name", "nightly", "--source", "crm", "--destination", "warehouse", "--heartbeat", "1s", "--", "sh", "-c", "echo \"pid $$\" >&2; exec sleep 600"))
            {
                var started = Stopwatch.StartNew();
                await Until(() => (commandId = PidOf(jobutil)) is not null, started);

                // Alive: at least one heartbeat after the start.
                await Until(() => api.Rows.Single() is { HeartbeatAt: { } beat } row && beat > row.StartDate, started);
                jobutil.Signal("KILL");
                await jobutil.WaitForProcessExitAsync();
            }

            var lastBeat = api.Rows.Single().HeartbeatAt;
            var blocked = await Cli.RunAsync(Cli.Environment(api.Url), "run", "--name", "nightly", "--source", "crm", "--destination", "warehouse", "--", "true");
            Assert.That(blocked.ExitCode, Is.Not.Zero, "the guard refuses while the killed run is in progress");

            // Until the killed run is 3 s stale, recover finds nothing to end; then it ends it.
            var recovering = Stopwatch.StartNew();
            CliResult recover = null!;
            await UntilAsync(
                async () =>
                {
                    recover = await Cli.RunAsync(Cli.Environment(api.Url), "recover", "--name", "nightly", "--older-than", "3s");
                    Assert.That(recover.ExitCode, Is.Zero, recover.Stderr);
                    return recover.Stdout.Length > 0;
                },
                recovering);

            var killed = api.Rows.Single();
            Assert.Multiple(() =>
            {
                Assert.That(killed.Status, Is.EqualTo("error"));
                Assert.That(killed.Message, Does.StartWith("abandoned: last seen ").And.Contain("its last heartbeat").And.EndWith(" on " + Environment.MachineName));
                Assert.That(killed.HeartbeatAt, Is.EqualTo(lastBeat), "the heartbeat stopped with the process");
                Assert.That(recover.Stdout, Does.Contain($"run {killed.Id} of job nightly ended as error: abandoned"));
            });

            var next = await Cli.RunAsync(Cli.Environment(api.Url), "run", "--name", "nightly", "--source", "crm", "--destination", "warehouse", "--heartbeat", "1s", "--", "true");
            Assert.That(next.ExitCode, Is.Zero, next.Stderr);
            Assert.That(api.Rows.Select(r => r.Status), Is.EqualTo(new[] { "error", "success" }));
        }
        finally
        {
            if (commandId is not null)
            {
                using var kill = Process.Start("kill", ["-KILL", commandId]);
                await kill.WaitForExitAsync();
            }
        }
    }

    [Test]
    public async Task A_command_still_running_at_its_timeout_gets_SIGTERM_and_its_run_is_recorded_as_error_saying_so()
    {
        using var api = FakeJobsApi.Start();

        var result = await Cli.RunAsync(Cli.Environment(api.Url), "run", "--name", "nightly", "--source", "crm", "--destination", "warehouse", "--timeout", "1s", "--", "sh", "-c", "trap 'echo stopping on TERM >&2; exit 7' TERM; while :; do sleep 0.05; done");

        var run = api.Rows.Single();
        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(124), result.Stderr);
            Assert.That(run.Status, Is.EqualTo("error"));
            Assert.That(run.Message, Is.EqualTo("timed out after 1s: the command got SIGTERM (exit code 7): stopping on TERM"));
        });
    }

    private static string? PidOf(JobUtilProcess jobutil)
        => jobutil.Stderr.Split('\n').Where(l => l.StartsWith("pid ", StringComparison.Ordinal)).Select(l => l[4..]).FirstOrDefault();

    private static Task Until(Func<bool> done, Stopwatch since) => UntilAsync(() => Task.FromResult(done()), since);

    /// <summary>Polls <paramref name="done"/> until it holds, failing after the deadline.</summary>
    private static async Task UntilAsync(Func<Task<bool>> done, Stopwatch since)
    {
        while (!await done())
        {
            if (since.Elapsed > Deadline)
            {
                Assert.Fail("the state awaited did not arrive within the deadline");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100));
        }
    }
}
