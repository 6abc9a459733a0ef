using System.CommandLine;

namespace JobUtil.Cli.Commands;

/// <summary><c>jobutil most-recent</c>: prints the watermark, the start of the job's last successful run.</summary>
internal static class MostRecentCommand
{
    public static Command Create(CliConsole console, ConnectionOptions connection)
    {
        var name = CliCommands.RequiredText("--name", "The ETL job's name.");
        var format = new Option<string>("--format")
        {
            Description = "unix (seconds, rounded down) or iso (ISO 8601, UTC, microseconds).",
            DefaultValueFactory = _ => "unix",
        }.OneOf("unix", "iso");
        var fallback = new Option<string?>("--default")
        {
            Description = "What to print when the job has no successful run (default: nothing).",
        };

        var command = new Command("most-recent", "Print the watermark: the start of the job's last successful run.") { name, format, fallback };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var options = connection.Resolve(parsed, console);
            using var client = new JobsApiClient();
            using var job = client.CreateReader(parsed.GetValue(name)!, options);
            var since = await job.MostRecentAsync(cancellationToken).ConfigureAwait(false);

            var text = since is { } value
                ? parsed.GetValue(format) == "iso" ? Timestamps.ToIso(value) : Timestamps.ToUnixSeconds(value)
                : parsed.GetValue(fallback);
            if (text is not null)
            {
                await console.Out.WriteLineAsync(text).ConfigureAwait(false);
            }

            return ExitCodes.Success;
        });
        return command;
    }
}
