using System.CommandLine;

namespace JobUtil.Cli.Commands;

/// <summary><c>jobutil result</c>: records the outcome of a run started earlier (by <c>start</c>) and prints it.</summary>
internal static class ResultCommand
{
    public static Command Create(CliConsole console, ConnectionOptions connection)
    {
        var id = OptionValues.RequiredWholeNumber("--id", "The id of the run, as printed by start.", 1L, long.MaxValue);
        var status = new Option<string>("--status") { Description = "success or error.", Required = true }.OneOf("success", "error");
        var records = OptionValues.OptionalWholeNumber(
            "--records", $"How many records the run processed, 0 to {int.MaxValue} (records_processed is an integer column; not sent when omitted).", 0L, int.MaxValue);
        var message = new Option<string?>("--message") { Description = "A message, such as the error (not sent when omitted)." };

        var command = new Command("result", "Record the outcome of run ID and print the run as one JSON line.") { id, status, records, message };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var options = connection.Resolve(parsed, console);
            using var client = new JobsApiClient();

            // The run was started by another process, which this one knows only by the run's id, of whichever job.
            // Not disposed: a failure to record the outcome asked for must not record another.
            var started = await client.OpenRunOfAnyJobAsync(parsed.GetValue(id), options, cancellationToken).ConfigureAwait(false);
            var run = await started.CompleteAsync(
                parsed.GetValue(status) == "success" ? JobStatus.Success : JobStatus.Error,
                parsed.GetValue(records),
                parsed.GetValue(message),
                cancellationToken).ConfigureAwait(false);
            await console.Out.WriteLineAsync(RunJson.Format(run)).ConfigureAwait(false);
            return ExitCodes.Success;
        });
        return command;
    }
}
