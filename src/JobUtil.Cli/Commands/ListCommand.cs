using System.CommandLine;

namespace JobUtil.Cli.Commands;

/// <summary><c>jobutil list</c>: a job's recent runs, newest first, as a table or as JSON lines.</summary>
internal static class ListCommand
{
    public static Command Create(CliConsole console, ConnectionOptions connection)
    {
        var name = CliCommands.RequiredText("--name", "The ETL job's name.");
        var limit = OptionValues.WholeNumber("--limit", "How many runs to show, 1 to 10000.", 1, 10000, defaultValue: 20);
        var json = OptionValues.Switch("--json", "Print each run as one JSON line instead of a table.");

        var command = new Command("list", "List a job's recent runs, newest first.") { name, limit, json };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var options = connection.Resolve(parsed, console);
            using var client = new JobsApiClient();
            using var job = client.CreateReader(parsed.GetValue(name)!, options);
            var runs = await job.ListRunsAsync(parsed.GetValue(limit), cancellationToken).ConfigureAwait(false);

            if (parsed.GetValue(json))
            {
                foreach (var run in runs)
                {
                    await console.Out.WriteLineAsync(RunJson.Format(run)).ConfigureAwait(false);
                }
            }
            else
            {
                await console.Out.WriteAsync(RunsTable.Format(runs)).ConfigureAwait(false);
            }

            return ExitCodes.Success;
        });
        return command;
    }
}
