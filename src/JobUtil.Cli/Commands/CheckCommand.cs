using System.CommandLine;

namespace JobUtil.Cli.Commands;

/// <summary>
/// <c>jobutil check</c>: judges every job (or the jobs named) by the thresholds given, prints one line per unhealthy job,
/// and exits 0 when all are healthy, 3 when any is not (1 when the Jobs API cannot be read, 2 on usage errors).
/// </summary>
internal static class CheckCommand
{
    public static Command Create(CliConsole console, ConnectionOptions connection)
    {
        var names = OptionValues.JobNames("A job to check (repeat for several); a job named that has no runs is unhealthy. Default: every job.");
        var thresholds = new HealthPolicyOptions(maxAgeRequired: true);

        var command = new Command("check", "Check that every job (or each job named) succeeded recently; exit 0 if all are healthy, 3 if any is not.") { names };
        thresholds.AddTo(command);
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var options = connection.Resolve(parsed, console);
            var policy = thresholds.Resolve(parsed);
            using var client = new JobsApiClient();
            var health = await client.CreateFleet(options).CheckAsync(policy, parsed.GetValue(names), cancellationToken).ConfigureAwait(false);

            var unhealthy = health.Where(h => !h.IsHealthy).ToList();
            foreach (var job in unhealthy)
            {
                // One line per job, whatever its name or last message holds: the README's Nagios wrapper counts lines.
                await console.Out.WriteLineAsync(LineText.Escape($"{job.Name}: {FleetText.State(job.State)}: {job.Reason}")).ConfigureAwait(false);
            }

            return unhealthy.Count == 0 ? ExitCodes.Success : ExitCodes.Unhealthy;
        });
        return command;
    }
}
