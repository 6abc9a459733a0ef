using System.CommandLine;

namespace JobUtil.Cli.Commands;

/// <summary><c>jobutil start</c>: starts a run and prints it as one JSON line.</summary>
internal static class StartCommand
{
    public static Command Create(CliConsole console, ConnectionOptions connection)
    {
        var name = CliCommands.RequiredText("--name", "The ETL job's name.");
        var source = CliCommands.RequiredText("--source", "The name of the source the job reads.");
        var destination = CliCommands.RequiredText("--destination", "The name of the destination the job writes.");

        var command = new Command("start", "Start a run (status in_progress) and print it as one JSON line.") { name, source, destination };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var options = connection.Resolve(parsed, console, parsed.GetValue(source), parsed.GetValue(destination));
            using var client = new JobsApiClient();
            // Not disposed: a disposed Job records its unfinished run as an error, and this run is ended later, by
            // another command (jobutil result --id). The HttpClient is the invocation's, disposed with the client.
            var job = client.CreateJob(parsed.GetValue(name)!, options);
            var run = await job.StartAsync(cancellationToken).ConfigureAwait(false);
            await console.Out.WriteLineAsync(RunJson.Format(run)).ConfigureAwait(false);
            return ExitCodes.Success;
        });
        return command;
    }
}
