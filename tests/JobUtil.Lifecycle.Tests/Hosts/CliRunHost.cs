using System.Collections;
using System.Globalization;
using JobUtil.Cli;

namespace JobUtil.Lifecycle.Tests.Hosts;

/// <summary><c>jobutil run</c>, in-process, wrapping a shell command.</summary>
public sealed class CliRunHost : LifecycleHost
{
    private const string RanLine = "work ran";

    public override string Name => "jobutil run";

    /// <summary>Its cancellation is a signal, worded by jobutil itself (RunProcessTests in JobUtil.Cli.Tests).</summary>
    public override bool CancelsWork => false;

    /// <summary>jobutil runs on the system clock.</summary>
    public override bool TakesAClock => false;

    public override string FailureMessage(string message) => "exit code 3: " + message;

    public override async Task<HostResult> RunAsync(HostRun run)
    {
        var script = $"echo '{RanLine}'; echo \"$JOBUTIL_SINCE_ISO\"; " + run.Work switch
        {
            Work.Succeed { Count: { } count } => $"echo {count.ToString(CultureInfo.InvariantCulture)} > \"$JOBUTIL_RECORDS_FILE\"",
            Work.Succeed => "true",
            Work.Fail fail => $"echo '{fail.Message}' >&2; exit 3",
            _ => throw new NotSupportedException("jobutil is cancelled by a signal, not by a token."),
        };
        var args = new List<string> { "run", "--name", HostRun.JobName, "--source", "crm", "--destination", "warehouse" };
        if (run.Lookback != TimeSpan.Zero)
        {
            args.AddRange(["--lookback", JobDuration.Format(run.Lookback)]);
        }

        args.AddRange(["--", "sh", "-c", script]);
        var environment = new Hashtable { ["JOBUTIL_URL"] = run.Url, ["JOBUTIL_RETRIES"] = "0" };
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exitCode = await Program.RunAsync([.. args], stdout, stderr, environment);

        var lines = stdout.ToString().Split('\n');
        var ran = lines[0] == RanLine;
        DateTimeOffset? since = ran && lines[1].Length > 0 ? DateTimeOffset.Parse(lines[1], CultureInfo.InvariantCulture) : null;
        var unrecorded = stderr.ToString().Split('\n').FirstOrDefault(l => l.Contains("could not be recorded", StringComparison.Ordinal));
        return new HostResult(ran, since, Failed: exitCode != 0, unrecorded);
    }
}
