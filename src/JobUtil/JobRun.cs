using JobUtil.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace JobUtil;

/// <summary>
/// One run of a job, from its start until exactly one outcome is recorded, with the lifecycle's rules applied once:
/// the watermark to work from (<see cref="Since"/>, the lookback taken off), heartbeats, and the outcome.
/// </summary>
/// <remarks>
/// <para>
/// A host (a scheduler's integration, a command runner, <see cref="Job.RunAsync(Func{DateTimeOffset?, CancellationToken, Task{long}}, CancellationToken)"/>
/// itself) needs three calls: <see cref="Job.BeginRunAsync"/>, then the work with <see cref="Since"/>, then
/// <see cref="FinishAsync"/> when the work is done or <see cref="TryFailAsync(Exception, bool)"/> when it failed:
/// </para>
/// <code>
/// await using var run = await job.BeginRunAsync(cancellationToken);
/// long count;
/// try
/// {
///     count = await LoadAsync(run.Since, cancellationToken);
/// }
/// catch (Exception e)
/// {
///     await run.TryFailAsync(e, cancelled: cancellationToken.IsCancellationRequested);
///     throw;
/// }
///
/// await run.FinishAsync(count);
/// </code>
/// <para>
/// Those two outcome methods hold the rules every host shares: the failure's message (its type and message, bounded;
/// "The run was cancelled." for the host's own cancellation), the record count's range, and
/// <see cref="JobOptions.OutcomeTimeout"/> on the job's clock for an error, recorded without the host's token (it may
/// be the reason the run failed). <see cref="SucceedAsync"/>, <see cref="FailAsync"/> and <see cref="CompleteAsync"/>
/// record exactly what they are given, for callers that word their own outcome.
/// </para>
/// <para>
/// Get a run from <see cref="Job.BeginRunAsync"/> or <see cref="Job.StartRunAsync"/> (a new run), from
/// <see cref="Job.OpenRunAsync"/> (a run of that job started elsewhere, by id), or from <see cref="OpenOfAnyJobAsync"/>
/// (a run of any job, by id). An outcome is recorded once: after it succeeded through this handle, recording another
/// throws <see cref="InvalidOperationException"/>; after it failed (the Jobs API could not be reached, say), it may be
/// tried again. On a run that had already ended when it was opened, an outcome is sent as a conditional update and the
/// server decides: the same outcome is already recorded (a repeated command, say) and is returned; another is
/// <see cref="JobRunAlreadyEndedException"/>. Disposing a run that has no outcome records it as an error, so a run left
/// by a mistake does not stay <c>in_progress</c>.
/// </para>
/// <para>
/// With <see cref="JobOptions.HeartbeatInterval"/> set, a run this process started records a heartbeat at that interval
/// until its outcome is recorded, the handle is disposed, or the outcome could not be recorded and the run is given up
/// (so that <see cref="Job.RecoverStaleRunsAsync"/> can end it).
/// </para>
/// </remarks>
public class JobRun : IAsyncDisposable
{
    /// <summary>The message recorded when a run is disposed without an outcome.</summary>
    public const string NoOutcomeMessage = "The run ended without an outcome.";

    private readonly RunContext _context = null!;
    private readonly object _gate = new();
    private JobRecord _record = null!;
    private State _state;
    private readonly Heartbeat? _heartbeat;
    private Exception? _recordingFailure;

    // Whether jobutil.runs.active counts this run: from its start by this process until its outcome is recorded or
    // the process gives it up (disposed, or an outcome that could not be recorded).
    private bool _active;

    /// <param name="context">What records the heartbeats and the outcome.</param>
    /// <param name="record">The run as the server returned it.</param>
    /// <param name="since">The watermark with the lookback taken off, for a run begun by <see cref="Job.BeginRunAsync"/>.</param>
    /// <param name="startedHere">Whether this process started the run (it then counts as active and sends heartbeats), rather than opened it by id.</param>
    internal JobRun(RunContext context, JobRecord record, DateTimeOffset? since = null, bool startedHere = false)
    {
        _context = context;
        _record = record;
        Since = since;
        _state = record.Status.IsFinal ? State.EndedElsewhere : State.Open;
        if (startedHere && _state == State.Open)
        {
            _active = true;
            Telemetry.RunsActive.Add(1, new KeyValuePair<string, object?>(Telemetry.JobNameTag, record.Name));
            if (context.Options.HeartbeatInterval is { } interval)
            {
                _heartbeat = new Heartbeat(context.Api, context.Time, context.Logger, record.Name, record.Id, interval);
            }
        }
    }

    /// <summary>For mocking: a run with no job. Every member must be overridden before use.</summary>
    protected JobRun()
    {
    }

    private enum State
    {
        Open,
        Recording,

        /// <summary>An outcome was recorded through this handle: another is refused here, without a request.</summary>
        Ended,

        /// <summary>
        /// The run had ended when it was opened: an outcome is still sent, and the server decides (the same outcome is
        /// recorded already; another is <see cref="JobRunAlreadyEndedException"/>).
        /// </summary>
        EndedElsewhere,
    }

    /// <summary>The run as last returned by the server.</summary>
    public virtual JobRecord Record
    {
        get
        {
            lock (_gate)
            {
                return _record;
            }
        }
    }

    /// <summary>The run's id.</summary>
    public long Id => Record.Id;

    /// <summary>
    /// Where the run's work starts from: the job's watermark (the <c>start_date</c> of its last successful run) minus
    /// <see cref="JobOptions.WatermarkLookback"/>, read by <see cref="Job.BeginRunAsync"/> before the run started.
    /// Extract source records modified at or after it. <see langword="null"/> on the job's first run, and for a run
    /// from <see cref="Job.StartRunAsync"/> or opened by id, which read no watermark.
    /// </summary>
    public virtual DateTimeOffset? Since { get; }

    /// <summary>Whether the run has an outcome: one was recorded through this handle, or the run had ended when it was opened.</summary>
    public virtual bool HasOutcome
    {
        get
        {
            lock (_gate)
            {
                return _state is State.Ended or State.EndedElsewhere;
            }
        }
    }

    /// <summary>
    /// What prevented <see cref="FinishAsync"/>, <see cref="TryFailAsync(Exception, bool)"/>,
    /// <see cref="TryFailAsync(string)"/> or <see cref="DisposeAsync"/> from recording the outcome (the run then stays
    /// <c>in_progress</c> on the server and is given up); <see langword="null"/> when nothing did.
    /// </summary>
    public virtual Exception? RecordingFailure
    {
        get
        {
            lock (_gate)
            {
                return _recordingFailure;
            }
        }
    }

    /// <summary>The run's heartbeats, or null when they are off. For tests.</summary>
    internal Heartbeat? Heartbeats => _heartbeat;

    /// <summary>Whether this process gave the run up without recording its outcome (see <see cref="RecordingFailure"/>).</summary>
    internal bool IsGivenUp
    {
        get
        {
            lock (_gate)
            {
                return _recordingFailure is not null && _state is State.Open;
            }
        }
    }

    /// <summary>
    /// A handle for run <paramref name="id"/> of any job on the Jobs API of <paramref name="options"/>, for a caller that
    /// knows only the id (<c>jobutil result --id</c>, a scheduler that was handed it) and must record its outcome.
    /// Nothing checks which job the run belongs to: to open a run only if it is one of a given job's, use
    /// <see cref="Job.OpenRunAsync"/>. Disposing the handle without an outcome records the run as an error.
    /// </summary>
    /// <param name="id">The run's id.</param>
    /// <param name="options">The Jobs API settings: <see cref="JobOptions.Url"/>, the token, timeouts and retries (<see cref="JobOptions.Source"/> and <see cref="JobOptions.Destination"/> are not needed). They are copied.</param>
    /// <param name="httpClient">The client to send with; never disposed here.</param>
    /// <param name="timeProvider">The clock for end dates, timeouts and retry delays; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="loggerFactory">Where the outcome and retries are logged; nothing is logged when null.</param>
    /// <param name="cancellationToken">Cancels the request and any retry wait.</param>
    /// <returns>The run's handle; <see cref="HasOutcome"/> is already true when the run has ended.</returns>
    /// <exception cref="ArgumentException"><paramref name="options"/> are invalid; nothing has been sent.</exception>
    /// <exception cref="JobRunNotFoundException">No run has that id.</exception>
    /// <exception cref="JobsApiException">The Jobs API answered with an error, or could not be reached in time.</exception>
    public static async Task<JobRun> OpenOfAnyJobAsync(long id, JobOptions options, HttpClient httpClient, TimeProvider? timeProvider = null, ILoggerFactory? loggerFactory = null, CancellationToken cancellationToken = default)
    {
        if (options is null)
        {
            throw new ArgumentNullException(nameof(options));
        }

        if (httpClient is null)
        {
            throw new ArgumentNullException(nameof(httpClient));
        }

        var copy = options.Clone();
        OptionsValidation.ThrowIfInvalid(copy, nameof(options), requireSourceAndDestination: false, settingsAreParameters: false);
        var time = timeProvider ?? TimeProvider.System;
        var logger = (ILogger?)loggerFactory?.CreateLogger<JobRun>() ?? NullLogger.Instance;
        var context = new RunContext(new JobsApi(httpClient, copy, time, logger, $"run {id.ToString(System.Globalization.CultureInfo.InvariantCulture)}"), copy, time, logger);
        return new JobRun(context, await ReadAsync(context, id, jobName: string.Empty, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>
    /// The work is done: records <see cref="JobStatus.Success"/> with <paramref name="recordsProcessed"/>, whatever the
    /// host's token says now (a late cancellation must not lose a finished run; <see cref="JobOptions.TotalTimeout"/>
    /// bounds it). A count the <c>records_processed</c> column cannot hold (below 0 or above 2,147,483,647) is recorded
    /// as an error saying so (as <see cref="TryFailAsync(Exception, bool)"/> records one), and thrown.
    /// </summary>
    /// <param name="recordsProcessed">How many records the work processed; not sent when null.</param>
    /// <param name="message">A message; not sent when null.</param>
    /// <returns>The run as recorded.</returns>
    /// <exception cref="InvalidOperationException">
    /// <paramref name="recordsProcessed"/> is out of range (the run is recorded as an error with this exception's
    /// message; if even that could not be recorded, <see cref="RecordingFailure"/> and the exception's
    /// <see cref="Exception.Data"/> under <see cref="Job.RecordingFailureKey"/> say why); or an outcome was already
    /// recorded through this handle, or one is being recorded.
    /// </exception>
    /// <exception cref="JobsApiException">Success could not be recorded: the run stays <c>in_progress</c> on the server, and is given up (see <see cref="RecordingFailure"/>).</exception>
    public virtual async Task<JobRecord> FinishAsync(long? recordsProcessed = null, string? message = null)
    {
        if (recordsProcessed is { } count && !RunRules.IsValidRecordsProcessed(count))
        {
            var started = Record;
            var outOfRange = RunRules.CountOutOfRange(started.Name, started.Id, count);
            await RecordErrorAsync(outOfRange.Message, outOfRange).ConfigureAwait(false);
            throw outOfRange;
        }

        try
        {
            return await CompleteAsync(JobStatus.Success, recordsProcessed, message, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not InvalidOperationException)
        {
            // Not this handle's misuse (an outcome already recorded through it): the run stays in progress.
            GiveUp(e);
            throw;
        }
    }

    /// <summary>
    /// The work failed with <paramref name="failure"/>: records <see cref="JobStatus.Error"/> with its type and message
    /// (<c>System.IO.IOException: disk full</c>), cut to 4,000 characters, or "The run was cancelled." when
    /// <paramref name="cancelled"/> and <paramref name="failure"/> is an <see cref="OperationCanceledException"/>.
    /// Without the host's token (it may be the reason the run failed), within <see cref="JobOptions.OutcomeTimeout"/> on
    /// the job's clock. Never throws: when the error cannot be recorded, the reason is logged once
    /// (<c>OutcomeNotRecorded</c>), kept in <see cref="RecordingFailure"/> and in <paramref name="failure"/>'s
    /// <see cref="Exception.Data"/> under <see cref="Job.RecordingFailureKey"/> (when it accepts it), and the run is given
    /// up: its heartbeats stop, so that recovery can end it.
    /// </summary>
    /// <param name="failure">
    /// What the work threw, or the cause a host unwrapped from it (a scheduler's wrapper exception, say): it is described
    /// as given, never unwrapped here.
    /// </param>
    /// <param name="cancelled">Whether the host's own cancellation was requested (its token is cancelled).</param>
    /// <returns>Whether the run now has an outcome (this error, or one recorded meanwhile through this handle).</returns>
    public virtual Task<bool> TryFailAsync(Exception failure, bool cancelled = false)
    {
        if (failure is null)
        {
            throw new ArgumentNullException(nameof(failure));
        }

        return RecordErrorAsync(RunRules.FailureMessage(failure, cancelled), failure);
    }

    /// <summary>
    /// As <see cref="TryFailAsync(Exception, bool)"/>, with <paramref name="context"/> (where the work failed, in the
    /// host's words: a scheduler's attempt, say) before the description, such as
    /// <c>Attempt 2 (Hangfire job 17): System.IO.IOException: disk full</c>; the whole cut to 4,000 characters.
    /// </summary>
    /// <param name="failure">What the work threw, or the cause a host unwrapped from it; described as given.</param>
    /// <param name="context">Where the work failed, recorded before the description and a colon.</param>
    /// <param name="cancelled">Whether the host's own cancellation was requested (its token is cancelled).</param>
    /// <returns>Whether the run now has an outcome (this error, or one recorded meanwhile through this handle).</returns>
    public virtual Task<bool> TryFailAsync(Exception failure, string context, bool cancelled = false)
    {
        if (failure is null)
        {
            throw new ArgumentNullException(nameof(failure));
        }

        if (context is null)
        {
            throw new ArgumentNullException(nameof(context));
        }

        return RecordErrorAsync(RunRules.BoundMessage(context + ": " + RunRules.FailureMessage(failure, cancelled)), failure);
    }

    /// <summary>
    /// The work failed for a reason the host words itself (a command's exit code, say): records
    /// <see cref="JobStatus.Error"/> with <paramref name="message"/>, cut to 4,000 characters. Otherwise as
    /// <see cref="TryFailAsync(Exception, bool)"/>: within <see cref="JobOptions.OutcomeTimeout"/>, never throws, and
    /// <see cref="RecordingFailure"/> says what prevented recording it.
    /// </summary>
    /// <param name="message">What went wrong.</param>
    /// <returns>Whether the run now has an outcome (this error, or one recorded meanwhile through this handle).</returns>
    public virtual Task<bool> TryFailAsync(string message)
    {
        if (message is null)
        {
            throw new ArgumentNullException(nameof(message));
        }

        return RecordErrorAsync(RunRules.BoundMessage(message), failure: null);
    }

    /// <summary>Records <see cref="JobStatus.Success"/>, with the record count and message when given.</summary>
    /// <param name="recordsProcessed">How many records the run processed; not sent when null.</param>
    /// <param name="message">A message; not sent when null.</param>
    /// <param name="cancellationToken">Cancels the request and any retry wait.</param>
    /// <returns>The run as recorded.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="recordsProcessed"/> is outside 0 to 2,147,483,647 (the column is an INTEGER).</exception>
    /// <exception cref="InvalidOperationException">An outcome was already recorded through this handle, or one is being recorded.</exception>
    /// <exception cref="JobRunAlreadyEndedException">The run had already ended on the server with another outcome (ended elsewhere); it was not changed.</exception>
    /// <exception cref="JobRunNotFoundException">The run no longer exists on the server.</exception>
    /// <exception cref="JobsApiException">The Jobs API answered with an error, or could not be reached in time.</exception>
    public virtual Task<JobRecord> SucceedAsync(long? recordsProcessed = null, string? message = null, CancellationToken cancellationToken = default)
        => CompleteAsync(JobStatus.Success, recordsProcessed, message, cancellationToken);

    /// <summary>Records <see cref="JobStatus.Error"/>, with the message when given.</summary>
    /// <param name="message">What went wrong; not sent when null.</param>
    /// <param name="cancellationToken">Cancels the request and any retry wait.</param>
    /// <returns>The run as recorded.</returns>
    /// <exception cref="InvalidOperationException">An outcome was already recorded through this handle, or one is being recorded.</exception>
    /// <exception cref="JobRunAlreadyEndedException">The run had already ended on the server with another outcome (ended elsewhere); it was not changed.</exception>
    /// <exception cref="JobRunNotFoundException">The run no longer exists on the server.</exception>
    /// <exception cref="JobsApiException">The Jobs API answered with an error, or could not be reached in time.</exception>
    public virtual Task<JobRecord> FailAsync(string? message = null, CancellationToken cancellationToken = default)
        => CompleteAsync(JobStatus.Error, null, message, cancellationToken);

    /// <summary>
    /// Records the run's outcome: its end date (from the job's clock, never before the start), <paramref name="status"/>,
    /// and the record count and message when given (a value not given is left as it is on the server). The update is
    /// conditional: only a run still in progress changes. A run that already holds this very outcome (a retried request
    /// whose first attempt was committed) counts as recorded; one that holds another is <see cref="JobRunAlreadyEndedException"/>.
    /// </summary>
    /// <param name="status"><see cref="JobStatus.Success"/> or <see cref="JobStatus.Error"/>.</param>
    /// <param name="recordsProcessed">How many records the run processed; not sent when null.</param>
    /// <param name="message">A message, such as the error; not sent when null. Each NUL is replaced with U+FFFD, which PostgreSQL's <c>text</c> needs.</param>
    /// <param name="cancellationToken">Cancels the request and any retry wait.</param>
    /// <returns>The run as recorded.</returns>
    /// <exception cref="ArgumentException"><paramref name="status"/> is not Success or Error, or <paramref name="recordsProcessed"/> is outside 0 to 2,147,483,647 (the column is an INTEGER).</exception>
    /// <exception cref="InvalidOperationException">An outcome was already recorded through this handle, or one is being recorded.</exception>
    /// <exception cref="JobRunAlreadyEndedException">The run had already ended on the server with another outcome (ended elsewhere); it was not changed.</exception>
    /// <exception cref="JobRunNotFoundException">The run no longer exists on the server.</exception>
    /// <exception cref="JobsApiException">The Jobs API answered with an error, or could not be reached in time.</exception>
    public virtual async Task<JobRecord> CompleteAsync(JobStatus status, long? recordsProcessed = null, string? message = null, CancellationToken cancellationToken = default)
    {
        ThrowIfInvalidOutcome(status, recordsProcessed);
        JobRecord started;
        State before;
        lock (_gate)
        {
            if (_state is State.Ended or State.Recording)
            {
                throw new InvalidOperationException(_state == State.Ended
                    ? $"Run {_record.Id} of job '{_record.Name}' already ended with status {_record.Status}."
                    : $"The outcome of run {_record.Id} of job '{_record.Name}' is being recorded.");
            }

            before = _state;
            _state = State.Recording;
            started = _record;
        }

        var ended = false;
        try
        {
            var run = await SendOutcomeAsync(started, status, recordsProcessed, message, cancellationToken).ConfigureAwait(false);
            lock (_gate)
            {
                _record = run;
                _state = State.Ended;
                _recordingFailure = null;
                LeaveActive();
            }

            StopHeartbeats();
            ended = true;
            return run;
        }
        finally
        {
            if (!ended)
            {
                lock (_gate)
                {
                    _state = before;
                }
            }
        }
    }

    /// <summary>
    /// Ends the handle. A run with no outcome is recorded as <see cref="JobStatus.Error"/> with
    /// <see cref="NoOutcomeMessage"/>, as <see cref="TryFailAsync(string)"/> records one: within
    /// <see cref="JobOptions.OutcomeTimeout"/>, and a failure is logged (<c>OutcomeNotRecorded</c>), never thrown.
    /// </summary>
    /// <returns>A task that completes when the outcome is recorded or could not be.</returns>
    public virtual async ValueTask DisposeAsync()
    {
        StopHeartbeats();
        if (!HasOutcome && !IsGivenUp)
        {
            await RecordErrorAsync(NoOutcomeMessage, failure: null).ConfigureAwait(false);
        }

        lock (_gate)
        {
            LeaveActive();
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>Describes the run (job, id, status).</summary>
    public override string ToString()
    {
        var record = Record;
        return record is null ? "JobRun" : $"Run {record.Id} of job {record.Name}: {record.Status}";
    }

    /// <summary>Reads run <paramref name="id"/>, traced under <paramref name="jobName"/> (empty when the job is not known yet).</summary>
    internal static async Task<JobRecord> ReadAsync(RunContext context, long id, string jobName, CancellationToken cancellationToken)
    {
        using var activity = Telemetry.StartOperation("JobUtil.GetRun", jobName);
        activity?.SetTag(Telemetry.RunIdTag, id);
        try
        {
            return await context.Api.GetRunAsync(id, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            Telemetry.Fail(activity, e);
            throw;
        }
    }

    /// <summary>Stops the run's heartbeats, if any: the run is ended, or given up (it may then be recovered once stale).</summary>
    internal void StopHeartbeats() => _heartbeat?.Dispose();

    internal static void ThrowIfInvalidOutcome(JobStatus status, long? recordsProcessed)
    {
        if (!status.IsFinal)
        {
            throw new ArgumentException($"A run's result must be JobStatus.Success or JobStatus.Error, not '{status}'.", nameof(status));
        }

        if (recordsProcessed is { } count && !RunRules.IsValidRecordsProcessed(count))
        {
            throw new ArgumentOutOfRangeException(nameof(recordsProcessed), recordsProcessed, RunRules.RecordsRange);
        }
    }

    /// <summary>
    /// Records an error without the host's token, bounded by <see cref="JobOptions.OutcomeTimeout"/> on the job's clock.
    /// Never throws: what prevented it is logged, kept, attached to <paramref name="failure"/>, and the run given up.
    /// </summary>
    private async Task<bool> RecordErrorAsync(string message, Exception? failure)
    {
        using var outcome = RunRules.OutcomeTimeout(_context.Options, _context.Time);
        Exception recording;
        try
        {
            await FailAsync(message, outcome.Token).ConfigureAwait(false);
            return true;
        }
        catch (InvalidOperationException) when (HasOutcome)
        {
            // Recorded meanwhile through this handle: nothing is left to do.
            return true;
        }
        catch (Exception caught)
        {
            recording = caught is OperationCanceledException && outcome.IsCancellationRequested
                ? RunRules.OutcomeTimedOut(Id, _context.Options, caught)
                : caught;
        }

        Log.OutcomeNotRecorded(_context.Logger, recording, Record.Name, Id);
        GiveUp(recording);
        if (failure is not null)
        {
            try
            {
                failure.Data[Job.RecordingFailureKey] = recording;
            }
            catch (Exception e) when (e is ArgumentException or NotSupportedException)
            {
                // Data can be read-only or refuse the value; RecordingFailure and the log have it.
            }
        }

        return false;
    }

    /// <summary>
    /// The outcome could not be recorded: the run stays in progress on the server, and this process gives it up. Its
    /// heartbeats stop, so it becomes stale and recovery can end it; it no longer counts as active.
    /// </summary>
    private void GiveUp(Exception recordingFailure)
    {
        StopHeartbeats();
        lock (_gate)
        {
            _recordingFailure = recordingFailure;
            LeaveActive();
        }
    }

    /// <summary>Sends the PATCH that ends run <paramref name="started"/>, traced, logged and counted.</summary>
    private async Task<JobRecord> SendOutcomeAsync(JobRecord started, JobStatus status, long? recordsProcessed, string? message, CancellationToken cancellationToken)
    {
        using var activity = Telemetry.StartOperation("JobUtil.Result", started.Name);
        activity?.SetTag(Telemetry.RunIdTag, started.Id);
        activity?.SetTag(Telemetry.StatusTag, status.Value);
        try
        {
            var storable = message is null ? null : RunRules.StorableMessage(message);
            var update = new RunUpdate(RunRules.EndDate(started.StartDate, RunRules.Now(_context.Time)), status, recordsProcessed, storable);
            var run = await _context.Api.UpdateRunAsync(started.Id, update, cancellationToken).ConfigureAwait(false);
            Telemetry.RecordOutcome(run);
            Log.RunEnded(_context.Logger, run.Name, run.Id, run.Status.Value, run.RecordsProcessed, (run.Duration ?? TimeSpan.Zero).TotalMilliseconds);
            return run;
        }
        catch (Exception e)
        {
            Telemetry.Fail(activity, e);
            throw;
        }
    }

    /// <summary>Ends the count of this run in <c>jobutil.runs.active</c>, once; called under the lock.</summary>
    private void LeaveActive()
    {
        if (_active)
        {
            _active = false;
            Telemetry.RunsActive.Add(-1, new KeyValuePair<string, object?>(Telemetry.JobNameTag, _record.Name));
        }
    }
}
