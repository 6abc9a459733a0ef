using System.CommandLine;
using System.Globalization;

namespace JobUtil.Cli.Commands;

/// <summary>
/// <c>jobutil recover</c>: ends as error the runs in progress whose heartbeat, or start when they have none, is older
/// than --older-than; those of the jobs named, or of every job. By hand or from cron.
/// </summary>
internal static class RecoverCommand
{
    public static Command Create(CliConsole console, ConnectionOptions connection)
    {
        var names = OptionValues.JobNames("A job whose stale runs to end; repeat for several (default: every job).");
        var olderThan = HealthPolicyOptions.Duration("--older-than", "How long since a run in progress was last seen (its heartbeat, or its start when it sends none) before it is ended as abandoned; make it several heartbeat intervals", required: true);

        var command = new Command("recover", "End as error the runs in progress that stopped sending heartbeats (or, without heartbeats, started too long ago): their process died.")
        {
            names, olderThan,
        };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            // The threshold is checked by the library's rule for it (RecoverStaleRunsOlderThan), before anything is sent.
            var threshold = JobDuration.Parse(parsed.GetValue(olderThan)!);
            var options = connection.Resolve(parsed, console, configure: o => o.RecoverStaleRunsOlderThan = threshold);
            using var client = new JobsApiClient();
            var fleet = client.CreateFleet(options);
            var ended = await fleet.RecoverStaleRunsAsync(threshold, parsed.GetValue(names), cancellationToken).ConfigureAwait(false);
            foreach (var run in ended)
            {
                await console.Out.WriteLineAsync(LineText.Escape($"run {run.Id.ToString(CultureInfo.InvariantCulture)} of job {run.Name} ended as error: {run.Message}")).ConfigureAwait(false);
            }

            await console.Error.WriteLineAsync(ended.Count == 1 ? "jobutil: 1 stale run ended." : $"jobutil: {ended.Count.ToString(CultureInfo.InvariantCulture)} stale runs ended.").ConfigureAwait(false);
            return ExitCodes.Success;
        });
        return command;
    }
}
