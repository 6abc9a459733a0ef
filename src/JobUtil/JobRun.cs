using JobUtil.Internal;

namespace JobUtil;

/// <summary>
/// One run of a job, from its start until exactly one outcome is recorded: <see cref="SucceedAsync"/>,
/// <see cref="FailAsync"/> or <see cref="CompleteAsync"/>. Disposing a run that has no outcome records it as an error,
/// so a run left by a mistake does not stay <c>in_progress</c>:
/// <code>
/// await using var run = await job.StartRunAsync(cancellationToken);
/// var count = await LoadAsync(cancellationToken);
/// await run.SucceedAsync(count, cancellationToken: cancellationToken);
/// </code>
/// </summary>
/// <remarks>
/// Get one from <see cref="Job.StartRunAsync"/> (a new run) or <see cref="Job.OpenRunAsync"/> (a run started
/// elsewhere, by id). An outcome is recorded once: after it succeeded through this handle, recording another throws
/// <see cref="InvalidOperationException"/>; after it failed (the Jobs API could not be reached, say), it may be tried again.
/// On a run that had already ended when it was opened, an outcome is sent as a conditional update and the server
/// decides: the same outcome is already recorded (a repeated command, say) and is returned; another is
/// <see cref="JobRunAlreadyEndedException"/>.
/// With <see cref="JobOptions.HeartbeatInterval"/> set, a run from <see cref="Job.StartRunAsync"/> records a heartbeat at
/// that interval until its outcome is recorded or the handle is disposed (see <see cref="Job.RecoverStaleRunsAsync"/>).
/// </remarks>
public class JobRun : IAsyncDisposable
{
    /// <summary>The longest message <see cref="BoundMessage"/> keeps: 4000 characters.</summary>
    public const int MaxMessageLength = RunRules.MaxMessageLength;

    /// <summary>The greatest record count a run can record: 2,147,483,647 (the <c>records_processed</c> column is an INTEGER).</summary>
    public const long MaxRecordsProcessed = RunRules.MaxRecordsProcessed;

    /// <summary>The message recorded when a run is disposed without an outcome.</summary>
    public const string NoOutcomeMessage = "The run ended without an outcome.";

    private readonly Job _job = null!;
    private readonly object _gate = new();
    private JobRecord _record = null!;
    private State _state;
    private Heartbeat? _heartbeat;

    // Whether jobutil.runs.active counts this run: from its start by this process until its outcome is recorded or
    // the process gives it up (disposed, or abandoned by RunAsync, without one).
    private bool _active;

    /// <param name="job">The job whose pipeline records the outcome.</param>
    /// <param name="record">The run as the server returned it.</param>
    /// <param name="startedHere">Whether this process started the run, rather than opened it by id.</param>
    internal JobRun(Job job, JobRecord record, bool startedHere = false)
    {
        _job = job;
        _record = record;
        _state = record.Status.IsFinal ? State.EndedElsewhere : State.Open;
        if (startedHere && _state == State.Open)
        {
            _active = true;
            Telemetry.RunsActive.Add(1, new KeyValuePair<string, object?>(Telemetry.JobNameTag, record.Name));
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

    /// <summary>Whether <paramref name="count"/> fits the <c>records_processed</c> column (0 to <see cref="MaxRecordsProcessed"/>).</summary>
    /// <param name="count">A record count.</param>
    public static bool IsValidRecordsProcessed(long count) => RunRules.IsValidRecordsProcessed(count);

    /// <summary>
    /// <paramref name="message"/> made storable (each NUL and each lone UTF-16 surrogate replaced with U+FFFD, as
    /// PostgreSQL's <c>text</c> and JSON need; every recorded message gets this) and cut to <see cref="MaxMessageLength"/> characters (the last one then an ellipsis), as
    /// <see cref="Job.RunAsync(Func{DateTimeOffset?, CancellationToken, Task{long}}, CancellationToken)"/> records a failure.
    /// </summary>
    /// <param name="message">The message.</param>
    /// <exception cref="ArgumentNullException"><paramref name="message"/> is null.</exception>
    public static string BoundMessage(string message)
        => RunRules.BoundMessage(RunRules.StorableMessage(message ?? throw new ArgumentNullException(nameof(message))));

    /// <summary>Records <see cref="JobStatus.Success"/>, with the record count and message when given.</summary>
    /// <param name="recordsProcessed">How many records the run processed; not sent when null.</param>
    /// <param name="message">A message; not sent when null.</param>
    /// <param name="cancellationToken">Cancels the request and any retry wait.</param>
    /// <returns>The run as recorded.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="recordsProcessed"/> is outside 0 to <see cref="MaxRecordsProcessed"/>.</exception>
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
    /// <param name="message">A message, such as the error; not sent when null.</param>
    /// <param name="cancellationToken">Cancels the request and any retry wait.</param>
    /// <returns>The run as recorded.</returns>
    /// <exception cref="ArgumentException"><paramref name="status"/> is not Success or Error, or <paramref name="recordsProcessed"/> is outside 0 to <see cref="MaxRecordsProcessed"/>.</exception>
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
            var run = await _job.RecordOutcomeAsync(started, status, recordsProcessed, message, cancellationToken).ConfigureAwait(false);
            lock (_gate)
            {
                _record = run;
                _state = State.Ended;
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
    /// <see cref="NoOutcomeMessage"/>, within <see cref="JobOptions.OutcomeTimeout"/>; if that fails, the failure is
    /// logged (<c>OutcomeNotRecorded</c>), not thrown, and the run stays <c>in_progress</c> on the server.
    /// </summary>
    /// <returns>A task that completes when the outcome is recorded or could not be.</returns>
    public virtual async ValueTask DisposeAsync()
    {
        StopHeartbeats();
        if (!HasOutcome)
        {
            await TryFailWithinOutcomeTimeoutAsync(NoOutcomeMessage).ConfigureAwait(false);
        }

        Abandon();
        GC.SuppressFinalize(this);
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

    /// <summary>Describes the run (job, id, status).</summary>
    public override string ToString()
    {
        var record = Record;
        return record is null ? "JobRun" : $"Run {record.Id} of job {record.Name}: {record.Status}";
    }

    /// <summary>
    /// Records an error without the caller's token (it may be the reason the run failed), bounded by
    /// <see cref="JobOptions.OutcomeTimeout"/>. Never throws: returns what prevented recording it, after logging it.
    /// </summary>
    internal async Task<Exception?> TryFailWithinOutcomeTimeoutAsync(string message)
    {
        using var outcome = RunRules.OutcomeTimeout(_job.Options, _job.Time);
        try
        {
            await FailAsync(message, outcome.Token).ConfigureAwait(false);
            return null;
        }
        catch (InvalidOperationException) when (HasOutcome)
        {
            // Recorded meanwhile by another caller: nothing is left to do.
            return null;
        }
        catch (Exception caught)
        {
            var failure = caught is OperationCanceledException && outcome.IsCancellationRequested
                ? RunRules.OutcomeTimedOut(Id, _job.Options, caught)
                : caught;
            Log.OutcomeNotRecorded(_job.Logger, failure, Record.Name, Id);
            return failure;
        }
    }

    /// <summary>The run's heartbeats, or null when they are off. For tests.</summary>
    internal Heartbeat? Heartbeats
    {
        get
        {
            lock (_gate)
            {
                return _heartbeat;
            }
        }
    }

    /// <summary>Starts the run's heartbeats (<see cref="JobOptions.HeartbeatInterval"/>); they stop with the outcome or the handle.</summary>
    internal void StartHeartbeats(Func<Heartbeat> start)
    {
        lock (_gate)
        {
            if (_state != State.Ended && _heartbeat is null)
            {
                _heartbeat = start();
            }
        }
    }

    /// <summary>Stops the run's heartbeats, if any: the run is ended, or given up (it may then be recovered once stale).</summary>
    internal void StopHeartbeats()
    {
        Heartbeat? heartbeat;
        lock (_gate)
        {
            heartbeat = _heartbeat;
        }

        heartbeat?.Dispose();
    }

    /// <summary>This process gives the run up, with or without an outcome: it no longer counts as active.</summary>
    internal void Abandon()
    {
        lock (_gate)
        {
            LeaveActive();
        }
    }

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
}
