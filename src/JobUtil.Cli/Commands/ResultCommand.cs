using System.CommandLine;

namespace JobUtil.Cli.Commands;

/// <summary><c>jobutil result</c>: records the outcome of a run started earlier (by <c>start</c>) and prints it.</summary>
internal static class ResultCommand
{
    public static Command Create(CliConsole console, ConnectionOptions connection)
    {
        var id = new Option<long>("--id") { Description = "The id of the run, as printed by start.", Required = true };
        var status = new Option<string>("--status") { Description = "success or error.", Required = true };
        status.AcceptOnlyFromAmong("success", "error");
        var records = new Option<long?>("--records") { Description = $"How many records the run processed, 0 to {JobRun.MaxRecordsProcessed} (not sent when omitted)." };
        records.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<long?>() is { } count && !JobRun.IsValidRecordsProcessed(count))
            {
                result.AddError($"--records must be from 0 to {JobRun.MaxRecordsProcessed} (records_processed is an integer column); it is {count}.");
            }
        });
        var message = new Option<string?>("--message") { Description = "A message, such as the error (not sent when omitted)." };

        var command = new Command("result", "Record the outcome of run ID and print the run as one JSON line.") { id, status, records, message };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var options = connection.Resolve(parsed, console);
            using var client = new JobsApiClient();

            // The run was started by another process, which this one knows only by the run's id; the job's name here
            // is only for the logs. Not disposed: a failure to record the outcome asked for must not record another.
            using var jobs = client.CreateReader("jobutil", options);
            var started = await jobs.OpenRunAsync(parsed.GetValue(id), cancellationToken).ConfigureAwait(false);
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
