using System.CommandLine;
using System.Text.Json;
using JobUtil.Internal;

namespace JobUtil.Cli.Commands;

/// <summary><c>jobutil result</c>: records the outcome of a run started earlier (by <c>start</c>) and prints it.</summary>
internal static class ResultCommand
{
    public static Command Create(CliConsole console, ConnectionOptions connection)
    {
        var id = OptionValues.RequiredWholeNumber("--id", "The id of the run, as printed by start.", 1L, long.MaxValue);
        var status = new Option<string>("--status") { Description = "success or error.", Required = true }.OneOf("success", "error");
        var records = OptionValues.OptionalWholeNumber(
            "--records", $"How many records the run processed, 0 to {RecordCount.Max} (records_processed is an integer column; not sent when omitted).", 0L, int.MaxValue);
        var message = new Option<string?>("--message") { Description = "A message, such as the error (not sent when omitted)." };

        var command = new Command("result", "Record the outcome of run ID and print the run as one JSON line.") { id, status, records, message };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var options = connection.Resolve(parsed, console);
            var runId = parsed.GetValue(id);
            using var client = new JobsApiClient();
            var api = client.CreateApi(options, $"run {runId}");

            // By id, with no Job: the run was started by another process, so no current run exists here. That process
            // may have run on another host whose clock is ahead of this one; the table requires end_date >= start_date.
            var started = await api.GetRunAsync(runId, cancellationToken).ConfigureAwait(false);
            var now = DateTimeOffset.UtcNow;
            var update = new RunUpdate(
                now < started.StartDate ? started.StartDate : now,
                parsed.GetValue(status) == "success" ? JobStatus.Success : JobStatus.Error,
                parsed.GetValue(records),
                parsed.GetValue(message));
            var run = await api.UpdateRunAsync(runId, update, cancellationToken).ConfigureAwait(false);
            await console.Out.WriteLineAsync(JsonSerializer.Serialize(run, CliJsonContext.Default.JobRecord)).ConfigureAwait(false);
            return ExitCodes.Success;
        });
        return command;
    }
}
