using System.Diagnostics;
using JobUtil.Testing;

namespace JobUtil.Cli.Tests;

/// <summary>jobutil run as a real process: signals, its stdout, and a server that is down.</summary>
[NonParallelizable]
public class RunProcessTests : FakeApiFixture
{
    [Test]
    public async Task SIGTERM_is_forwarded_to_the_command_and_the_run_recorded_as_error_before_jobutil_exits()
    {
        // The command stops on SIGTERM in its own way: proof the signal reached it rather than jobutil killing it.
        using var jobutil = Run("trap 'echo stopping on TERM >&2; exit 5' TERM; echo ready >&2; while :; do sleep 0.05; done");
        await jobutil.WaitForStderrLineAsync("ready");

        jobutil.Signal("TERM");
        var (exitCode, _) = await jobutil.WaitForExitAsync();

        var run = Api.Rows.Single();
        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.EqualTo(5), jobutil.Stderr);
            Assert.That(run.Status, Is.EqualTo("error"));
            Assert.That(run.Message, Is.EqualTo("interrupted by SIGTERM: exit code 5: stopping on TERM"));
            Assert.That(run.EndDate, Is.Not.Null);
        });
    }

    [Test]
    public async Task SIGINT_is_forwarded_and_a_command_killed_by_it_is_recorded_as_error_with_code_130()
    {
        using var jobutil = Run("echo ready >&2; exec sleep 60");
        await jobutil.WaitForStderrLineAsync("ready");

        jobutil.Signal("INT");
        var (exitCode, _) = await jobutil.WaitForExitAsync();

        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.EqualTo(130), jobutil.Stderr);
            Assert.That(Api.Rows.Single().Status, Is.EqualTo("error"));
            Assert.That(Api.Rows.Single().Message, Is.EqualTo("interrupted by SIGINT: exit code 130: ready"));
        });
    }

    [Test]
    public async Task A_Ctrl_C_in_the_terminal_reaches_the_command_once_and_is_not_forwarded_again()
    {
        Assume.That(JobUtilInTerminal.IsAvailable, "needs util-linux script for a pseudo-terminal");

        // The command counts the SIGINTs it gets and reports the count on SIGUSR1, which only the test sends.
        const string script = "n=0; trap 'n=$((n+1))' INT; trap 'echo \"got $n INT\" >&2; exit 3' USR1; echo \"pid $$ ready\" >&2; while :; do sleep 0.05; done";
        using var terminal = JobUtilInTerminal.Start(Api.Url, "run", "--name", "nightly", "--source", "crm", "--destination", "warehouse", "--", "sh", "-c", script);
        await terminal.WaitForAsync("ready");
        var commandId = System.Text.RegularExpressions.Regex.Match(terminal.Output, @"pid (\d+) ready").Groups[1].Value;

        await terminal.PressCtrlCAsync();

        // jobutil says what it did with the signal only after it has (or has not) forwarded it.
        await terminal.WaitForAsync("waiting for it to exit.");
        using (var usr1 = Process.Start("kill", ["-USR1", commandId]))
        {
            await usr1.WaitForExitAsync();
        }

        var exitCode = await terminal.WaitForExitAsync();

        Assert.Multiple(() =>
        {
            Assert.That(terminal.Output, Does.Contain("jobutil: SIGINT reached the command from the terminal; waiting for it to exit."));
            Assert.That(terminal.Output, Does.Not.Contain("forwarded"));
            Assert.That(terminal.Output, Does.Contain("got 1 INT"));
            Assert.That(exitCode, Is.EqualTo(3), terminal.Output);
            Assert.That(Api.Rows.Single().Status, Is.EqualTo("error"));
            Assert.That(Api.Rows.Single().Message, Is.EqualTo("interrupted by SIGINT: exit code 3: got 1 INT"));
        });
    }

    [Test]
    public async Task The_commands_stdout_passes_through_byte_for_byte_and_its_count_is_recorded()
    {
        using var jobutil = Run("printf 'a\\tb\\r\\n\\303\\251t\\303\\251\\nno newline'; echo 7 > \"$JOBUTIL_RECORDS_FILE\"");

        var (exitCode, stdout) = await jobutil.WaitForExitAsync();

        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.EqualTo(0), jobutil.Stderr);
            Assert.That(stdout, Is.EqualTo("a\tb\r\nété\nno newline"));
            Assert.That(Api.Rows.Single().RecordsProcessed, Is.EqualTo(7));
        });
    }

    [Test]
    public async Task When_the_server_is_down_the_command_is_not_started_and_jobutil_exits_1_with_one_line()
    {
        var marker = Path.Combine(Path.GetTempPath(), $"jobutil-test-{Guid.NewGuid():N}");
        string url;
        using (var stopped = FakeJobsApi.Start())
        {
            url = stopped.Url;
        }

        using var jobutil = JobUtilProcess.Start(url, "run", "--name", "nightly", "--source", "crm", "--destination", "warehouse", "--", "touch", marker);
        var (exitCode, stdout) = await jobutil.WaitForExitAsync();

        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.EqualTo(1));
            Assert.That(File.Exists(marker), Is.False, "the command ran although the Jobs API could not be reached");
            Assert.That(stdout, Is.Empty);
            Assert.That(jobutil.Stderr.Split('\n'), Has.Length.EqualTo(1));
            Assert.That(jobutil.Stderr, Does.StartWith("jobutil: ").And.Contain("could not reach"));
        });
    }

    [Test]
    public async Task The_command_does_not_get_the_token_under_JOBUTIL_TOKEN_or_any_other_name()
    {
        const string token = "eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoiam9ic193cml0ZXIifQ.c2lnbmF0dXJl";
        var environment = new Dictionary<string, string> { ["JOBUTIL_TOKEN"] = token, ["ETL_API_TOKEN"] = token, ["ETL_OTHER"] = "kept" };
        using var jobutil = JobUtilProcess.Start(
            Api.Url,
            environment,
            "run", "--name", "nightly", "--source", "crm", "--destination", "warehouse", "--",
            "sh", "-c", "printenv JOBUTIL_TOKEN; echo \"[$JOBUTIL_TOKEN|$ETL_API_TOKEN|$ETL_OTHER]\"");

        var (exitCode, stdout) = await jobutil.WaitForExitAsync();

        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.EqualTo(0), jobutil.Stderr);
            Assert.That(stdout, Is.EqualTo("[||kept]\n"));
            Assert.That(stdout + jobutil.Stderr, Does.Not.Contain(token));
            Assert.That(Api.Requests.Select(r => r.Header("Authorization")), Is.All.EqualTo($"Bearer {token}"), "jobutil itself still sends the token");
        });
    }

    [Test]
    public async Task A_signal_while_the_run_is_being_started_lets_the_start_finish_and_records_the_run_as_error()
    {
        var marker = Path.Combine(Path.GetTempPath(), $"jobutil-test-{Guid.NewGuid():N}");

        // The row is committed at once and its answer held back until jobutil has taken the signal: the moment in
        // which a signal used to strand the run, held open by the test rather than by a time window.
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Api.HoldNextAfterCommit(1, release.Task, "POST");
        using var jobutil = JobUtilProcess.Start(Api.Url, "run", "--name", "nightly", "--source", "crm", "--destination", "warehouse", "--", "touch", marker);
        Assert.That(() => Api.Rows.Count == 1 && Api.InFlight == 1, Is.True.After(30_000, 10), "the run was not started");

        jobutil.Signal("TERM");
        await jobutil.WaitForStderrLineAsync("jobutil: SIGTERM received; the command will not be started.");
        release.SetResult();
        var (exitCode, _) = await jobutil.WaitForExitAsync();

        var run = Api.Rows.Single();
        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.EqualTo(143), jobutil.Stderr);
            Assert.That(File.Exists(marker), Is.False, "the command started although jobutil had been told to stop");
            Assert.That(run.Status, Is.EqualTo("error"));
            Assert.That(run.EndDate, Is.Not.Null);
            Assert.That(run.Message, Is.EqualTo("interrupted by SIGTERM before the command started"));
            Assert.That(jobutil.Stderr, Does.Contain("interrupted by SIGTERM before the command started"));
        });
    }

    [Test]
    public async Task When_jobutil_itself_fails_after_the_start_the_run_is_recorded_as_error_and_jobutil_exits_1_with_one_line()
    {
        var marker = Path.Combine(Path.GetTempPath(), $"jobutil-test-{Guid.NewGuid():N}");

        // The records file goes in TMPDIR; one that does not exist makes creating it fail once the run has started.
        using var jobutil = JobUtilProcess.Start(
            Api.Url,
            new Dictionary<string, string> { ["TMPDIR"] = "/nonexistent/jobutil-tmp" },
            "run", "--name", "nightly", "--source", "crm", "--destination", "warehouse", "--", "touch", marker);
        var (exitCode, stdout) = await jobutil.WaitForExitAsync();

        var run = Api.Rows.Single();
        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.EqualTo(1));
            Assert.That(stdout, Is.Empty);
            Assert.That(jobutil.Stderr.Split('\n'), Has.Length.EqualTo(1), jobutil.Stderr);
            Assert.That(jobutil.Stderr, Does.StartWith("jobutil: DirectoryNotFoundException: ").And.Contain("/nonexistent/jobutil-tmp"));
            Assert.That(File.Exists(marker), Is.False, "the command ran although jobutil could not give it a records file");
            Assert.That(run.Status, Is.EqualTo("error"));
            Assert.That(run.EndDate, Is.Not.Null);
            Assert.That(run.Message, Does.StartWith("jobutil failed: DirectoryNotFoundException: ").And.Contain("/nonexistent/jobutil-tmp"));
        });
    }

    [Test]
    public async Task Verbose_adds_the_stack_trace_to_a_failure_of_jobutil_itself()
    {
        using var jobutil = JobUtilProcess.Start(
            Api.Url,
            new Dictionary<string, string> { ["TMPDIR"] = "/nonexistent/jobutil-tmp" },
            "run", "--verbose", "--name", "nightly", "--source", "crm", "--destination", "warehouse", "--", "true");
        var (exitCode, _) = await jobutil.WaitForExitAsync();

        Assert.That(exitCode, Is.EqualTo(1));
        Assert.That(jobutil.Stderr, Does.Contain("System.IO.DirectoryNotFoundException").And.Contain(" at "));
    }

    private JobUtilProcess Run(string script)
        => JobUtilProcess.Start(Api.Url, "run", "--name", "nightly", "--source", "crm", "--destination", "warehouse", "--", "sh", "-c", script);
}
