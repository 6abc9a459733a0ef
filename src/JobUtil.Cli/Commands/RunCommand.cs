using System.CommandLine;
using System.ComponentModel;
using System.Globalization;

namespace JobUtil.Cli.Commands;

/// <summary>
/// <c>jobutil run</c>: wraps any command as a tracked run. Reads the watermark, starts a run, runs the command with
/// the watermark in its environment, records success (with the count the command wrote) or error (with its exit
/// code and last stderr line), and exits with the command's code.
/// </summary>
internal static class RunCommand
{
    public const string RunIdVariable = "JOBUTIL_RUN_ID";
    public const string SinceVariable = "JOBUTIL_SINCE";
    public const string SinceIsoVariable = "JOBUTIL_SINCE_ISO";
    public const string RecordsFileVariable = "JOBUTIL_RECORDS_FILE";

    /// <summary>The exit code of a run whose command was stopped at its --timeout, as timeout(1) uses.</summary>
    public const int TimedOutExitCode = 124;

    /// <summary>The longest --timeout: a timer waits at most about 49 days, and a run is not expected to take a month.</summary>
    public static readonly TimeSpan MaxTimeout = TimeSpan.FromDays(30);

    public static Command Create(CliConsole console, ConnectionOptions connection)
    {
        var name = CliCommands.RequiredText("--name", "The ETL job's name.");
        var source = CliCommands.RequiredText("--source", "The name of the source the job reads.");
        var destination = CliCommands.RequiredText("--destination", "The name of the destination the job writes.");
        var defaultSince = new Option<string?>("--default-since")
        {
            Description = $"The watermark when the job has no successful run yet: unix seconds or ISO 8601 (default: {SinceVariable} is empty).",
        };
        defaultSince.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string?>() is { } text && Timestamps.Parse(text) is null)
            {
                result.AddError($"--default-since must be unix seconds or an ISO 8601 timestamp with an offset; '{text}' is neither.");
            }
        });
        var heartbeat = HealthPolicyOptions.Duration("--heartbeat", "Record a heartbeat of the run at this interval, so that 'jobutil recover' can tell a live run from a dead one (needs the heartbeat_at and host columns of db/schema.sql)", required: false);
        var timeout = HealthPolicyOptions.Duration("--timeout", $"Stop a command still running after this long: SIGTERM, then SIGKILL after {ChildCommand.KillGrace.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s; the run is recorded as error and jobutil exits with {TimedOutExitCode}", required: false);
        var lookback = HealthPolicyOptions.Duration("--lookback", $"Take this margin off the watermark handed to the command in {SinceVariable} and {SinceIsoVariable}, against clock skew between this host and the source", required: false);
        var command = new Argument<string[]>("command")
        {
            Description = "The command to run and its arguments, after --.",
            Arity = ArgumentArity.OneOrMore,
        };
        command.Validators.Add(result =>
        {
            if (result.Tokens.Count > 0 && string.IsNullOrWhiteSpace(result.Tokens[0].Value))
            {
                result.AddError("The command to run is empty: give it after --.");
            }
        });

        var run = new Command("run", $"Run a command as a tracked run of the job; it gets {RunIdVariable}, {SinceVariable}, {SinceIsoVariable} and {RecordsFileVariable}.")
        {
            name, source, destination, defaultSince, heartbeat, timeout, lookback, command,
        };
        run.SetAction(async (parsed, _) =>
        {
            // The durations are checked by the library's rules with every other setting, before anything is sent.
            var options = connection.Resolve(parsed, console, parsed.GetValue(source), parsed.GetValue(destination), o =>
            {
                o.HeartbeatInterval = parsed.GetValue(heartbeat) is { } interval ? JobDuration.Parse(interval) : null;
                o.WatermarkLookback = parsed.GetValue(lookback) is { } margin ? JobDuration.Parse(margin) : TimeSpan.Zero;
            });
            var limit = parsed.GetValue(timeout) is { } text ? JobDuration.Parse(text) : (TimeSpan?)null;
            if (limit > MaxTimeout)
            {
                throw new UsageException($"--timeout must be at most {JobDuration.Format(MaxTimeout)}; it is {JobDuration.Format(limit.Value)}.");
            }

            using var client = new JobsApiClient();
            using var job = client.CreateJob(parsed.GetValue(name)!, options);
            using var signals = new SignalForwarding(console.Error);
            var fallback = parsed.GetValue(defaultSince) is { } since ? Timestamps.Parse(since) : null;
            return await RunAsync(job, parsed.GetValue(command)!, fallback, limit, options, console, signals).ConfigureAwait(false);
        });
        return run;
    }

    private static async Task<int> RunAsync(Job job, string[] command, DateTimeOffset? fallback, TimeSpan? timeout, JobOptions options, CliConsole console, SignalForwarding signals)
    {
        if (await BeginRunAsync(job, options, console, signals).ConfigureAwait(false) is not { } run)
        {
            return SignalForwarding.ExitCodeFor(signals.Received!.Value);
        }

        // The lookback is the library's, taken off the server's watermark; not off a --default-since the user chose.
        var since = run.Since ?? fallback;

        // Not disposed: every path below records the outcome, or says why it could not.
        var recordsFile = Path.Combine(Path.GetTempPath(), $"jobutil-{run.Id.ToString(CultureInfo.InvariantCulture)}-{Guid.NewGuid():N}.records");
        var recording = false;
        try
        {
            await File.WriteAllBytesAsync(recordsFile, []).ConfigureAwait(false);
            var variables = new Dictionary<string, string>
            {
                [RunIdVariable] = run.Id.ToString(CultureInfo.InvariantCulture),
                [SinceVariable] = since is { } s ? Timestamps.ToUnixSeconds(s) : string.Empty,
                [SinceIsoVariable] = since is { } i ? Timestamps.ToIso(i) : string.Empty,
                [RecordsFileVariable] = recordsFile,
            };

            var (exitCode, failure) = await RunCommandAsync(command, variables, options.Token, timeout, console, signals).ConfigureAwait(false);

            // Recorded even after a signal: that is why jobutil took the signal over. The run handle records without
            // the signal's token, within the library's timeouts.
            recording = true;
            if (exitCode != 0)
            {
                if (!await run.TryFailAsync(failure!).ConfigureAwait(false))
                {
                    await console.Error.WriteLineAsync($"jobutil: the command exited with code {exitCode}, but run {run.Id} could not be recorded: {Reason(run.RecordingFailure)}").ConfigureAwait(false);
                }

                return exitCode;
            }

            var count = await ReadCountAsync(recordsFile, console).ConfigureAwait(false);
            try
            {
                await run.FinishAsync(count).ConfigureAwait(false);
                return exitCode;
            }
            catch (InvalidOperationException e)
            {
                // A count the table cannot hold: the library recorded the run as error, saying so.
                await console.Error.WriteLineAsync($"jobutil: the command exited with code 0, but {e.Message} The run is recorded as error.").ConfigureAwait(false);
                return ExitCodes.ApiFailure;
            }
            catch (Exception e) when (e is JobsApiException or OperationCanceledException)
            {
                await console.Error.WriteLineAsync($"jobutil: the command exited with code 0, but run {run.Id} could not be recorded: {Reason(e)}").ConfigureAwait(false);
                return ExitCodes.ApiFailure;
            }
        }
        catch (Exception e) when (!recording)
        {
            // jobutil itself failed (the records file could not be created, say): the run must not stay in progress.
            if (!await run.TryFailAsync($"jobutil failed: {Program.Describe(e)}").ConfigureAwait(false))
            {
                await console.Error.WriteLineAsync($"jobutil: run {run.Id} could not be recorded as error: {Reason(run.RecordingFailure)}").ConfigureAwait(false);
            }

            throw;
        }
        finally
        {
            DeleteRecordsFile(recordsFile);
        }
    }

    /// <summary>
    /// Begins the run (the watermark, then the start). A signal does not cancel the start: once the POST is sent the row
    /// may exist, and only the answer says which row, so the run can then be recorded as error (the command is not
    /// started, see RunCommandAsync). The signal only bounds how much longer it may take; if it takes longer, the
    /// library's cancelled start looks the run up and records it as error. <see langword="null"/> when it did not finish
    /// in that time.
    /// </summary>
    private static async Task<JobRun?> BeginRunAsync(Job job, JobOptions options, CliConsole console, SignalForwarding signals)
    {
        using var bound = new CancellationTokenSource();
        using var interrupted = signals.Interrupted.Register(() => bound.CancelAfter(options.OutcomeTimeout));
        try
        {
            return await job.BeginRunAsync(bound.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (bound.IsCancellationRequested && signals.Received is { } signal)
        {
            var seconds = options.OutcomeTimeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);
            await console.Error.WriteLineAsync($"jobutil: interrupted by {signal} while starting the run, which did not finish within {seconds} s.").ConfigureAwait(false);
            return null;
        }
    }

    /// <summary>Why an outcome could not be recorded, in one line.</summary>
    private static string Reason(Exception? failure)
        => failure is JobsApiException ? failure.Message : "it did not complete in time.";

    // The outcome is already recorded when this runs; a records file the command replaced by something else is not worth failing for.
    private static void DeleteRecordsFile(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }

    /// <summary>Runs the command; its exit code and, when it failed, the message to record.</summary>
    private static async Task<(int ExitCode, string? Message)> RunCommandAsync(string[] command, Dictionary<string, string> variables, string? token, TimeSpan? timeout, CliConsole console, SignalForwarding signals)
    {
        if (signals.Received is { } early)
        {
            await console.Error.WriteLineAsync($"jobutil: interrupted by {early} before the command started; the run is recorded as error.").ConfigureAwait(false);
            return (SignalForwarding.ExitCodeFor(early), $"interrupted by {early} before the command started");
        }

        ChildCommand.Exit exit;
        try
        {
            exit = await ChildCommand.RunAsync(command, variables, token, console, signals, timeout).ConfigureAwait(false);
        }
        catch (Win32Exception e)
        {
            var message = $"could not start '{command[0]}': {e.Message}";
            await console.Error.WriteLineAsync($"jobutil: {message}").ConfigureAwait(false);
            return (ExitCodes.CommandNotFound, message);
        }

        if (exit.TimedOut)
        {
            var how = exit.Killed
                ? $"SIGTERM, then SIGKILL after {ChildCommand.KillGrace.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s"
                : "SIGTERM";
            var timedOut = $"timed out after {JobDuration.Format(timeout!.Value)}: the command got {how} (exit code {exit.Code.ToString(CultureInfo.InvariantCulture)})";
            await console.Error.WriteLineAsync($"jobutil: the command {timedOut}; the run is recorded as error.").ConfigureAwait(false);
            return (TimedOutExitCode, exit.LastErrorLine is { } last ? $"{timedOut}: {last}" : timedOut);
        }

        if (exit.Code == 0)
        {
            return (0, null);
        }

        var text = signals.Received is { } signal
            ? $"interrupted by {signal}: exit code {exit.Code.ToString(CultureInfo.InvariantCulture)}"
            : $"exit code {exit.Code.ToString(CultureInfo.InvariantCulture)}";
        if (exit.LastErrorLine is { } line)
        {
            text += ": " + line;
        }

        return (exit.Code, text);
    }

    /// <summary>
    /// The count the command wrote to the records file; none when it wrote nothing or no whole number. Its range is the
    /// library's rule (<see cref="JobRun.FinishAsync"/>).
    /// </summary>
    private static async Task<long?> ReadCountAsync(string path, CliConsole console)
    {
        var text = File.Exists(path) ? (await File.ReadAllTextAsync(path).ConfigureAwait(false)).Trim() : string.Empty;
        if (text.Length == 0)
        {
            return null;
        }

        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var count))
        {
            return count;
        }

        // The command's work is done: text that cannot be read as a count at all must not turn its success into a failure.
        var shown = text.Length <= 40 ? text : text[..40] + "…";
        await console.Error.WriteLineAsync($"jobutil: {RecordsFileVariable} held '{shown}', which is not a record count; the run is recorded without one.").ConfigureAwait(false);
        return null;
    }
}
