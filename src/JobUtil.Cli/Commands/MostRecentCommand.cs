using System.CommandLine;

namespace JobUtil.Cli.Commands;

/// <summary>
/// <c>jobutil most-recent</c>: prints the watermark, the start of the job's last successful run; with <c>--cursor</c>,
/// the cursor of its last successful run that stored one.
/// </summary>
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
            Description = "What to print when the job has no successful run, or with --cursor no cursor (default: nothing).",
        };
        var cursor = new Option<bool>("--cursor")
        {
            Description = "Print the job's cursor instead, as stored: that of its last successful run that stored one (--format does not apply).",
        };

        var command = new Command("most-recent", "Print the watermark: the start of the job's last successful run; or its cursor.") { name, format, fallback, cursor };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var options = connection.Resolve(parsed, console);
            using var client = new JobsApiClient();
            using var job = client.CreateReader(parsed.GetValue(name)!, options);
            string? text;
            if (parsed.GetValue(cursor))
            {
                text = await job.LastCursorAsync(cancellationToken).ConfigureAwait(false) ?? parsed.GetValue(fallback);
            }
            else
            {
                var since = await job.MostRecentAsync(cancellationToken).ConfigureAwait(false);
                text = since is { } value
                    ? parsed.GetValue(format) == "iso" ? Timestamps.ToIso(value) : Timestamps.ToUnixSeconds(value)
                    : parsed.GetValue(fallback);
            }

            if (text is not null)
            {
                await console.Out.WriteLineAsync(text).ConfigureAwait(false);
            }

            return ExitCodes.Success;
        });
        return command;
    }
}
