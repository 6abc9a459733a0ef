using JobUtil.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace JobUtil;

/// <summary>
/// A client for one ETL job (a name, a source and a destination) on a PostgREST Jobs API: reads its watermark, begins,
/// starts and opens its runs.
/// </summary>
/// <remarks>
/// <para>
/// A run is a <see cref="JobRun"/>: <see cref="BeginRunAsync"/> reads the watermark and starts one, and the handle
/// records its outcome with the lifecycle's rules applied once. <see cref="RunAsync(Func{DateTimeOffset?, CancellationToken, Task{long}}, CancellationToken)"/>
/// does all of it around a body. The original client's sequence, <see cref="MostRecentAsync"/>, <see cref="StartAsync"/>,
/// the ETL work, then <see cref="ResultAsync(JobStatus, long?, string?, string?, CancellationToken)"/>, works on one current run (<see cref="Current"/>) held for it.
/// </para>
/// <para>
/// Methods are safe to call from several threads. One instance starts one run at a time, and none while its current
/// run is in progress. Every request goes through one resilience pipeline (timeouts and retries set in
/// <see cref="JobOptions"/>).
/// </para>
/// </remarks>
public class Job : IDisposable
{
    /// <summary>
    /// The key under which a failure's <see cref="Exception.Data"/> holds the exception that prevented recording the
    /// run's error (<see cref="JobRun.TryFailAsync(Exception, bool)"/>,
    /// <see cref="RunAsync(Func{DateTimeOffset?, CancellationToken, Task{long}}, CancellationToken)"/>).
    /// </summary>
    public const string RecordingFailureKey = "JobUtil.RecordingFailure";

    private readonly RunContext _context = null!;
    private readonly HttpClient? _ownedClient;
    private readonly object _gate = new();

    // The run of StartAsync and RunAsync, for Current and ResultAsync: the original client's one current run.
    private JobRun? _current;

    // A start (StartAsync, StartRunAsync, BeginRunAsync, RunAsync up to its start) is in flight on this instance.
    private bool _starting;

    /// <summary>
    /// Creates a job the way the original client did, with its own <see cref="HttpClient"/> (disposed with the job).
    /// </summary>
    /// <param name="name">The ETL job's name.</param>
    /// <param name="url">The full URL of the jobs table, such as <c>https://host/legacy-scripts/jobs</c>.</param>
    /// <param name="source">The name of the source the job reads.</param>
    /// <param name="destination">The name of the destination the job writes.</param>
    /// <param name="auth">The JWT to send as a bearer token; <see langword="null"/> to send none.</param>
    /// <exception cref="ArgumentException">An argument is empty or invalid; nothing has been sent.</exception>
    public Job(string name, string url, string source, string destination, string? auth = null)
        : this(name, new JobOptions { Url = url, Source = source, Destination = destination, Token = auth }, CreateOwnedClient(), null, null, ownsClient: true, settingsAreParameters: true)
    {
    }

    /// <summary>
    /// Creates a job with <paramref name="options"/> and its own <see cref="HttpClient"/> (disposed with the job): every
    /// setting (retries, timeouts, <see cref="JobOptions.AllowInsecureTransport"/>) without bringing a client.
    /// </summary>
    /// <param name="name">The ETL job's name.</param>
    /// <param name="options">The Jobs API settings; <see cref="JobOptions.Source"/> and <see cref="JobOptions.Destination"/> are required. They are copied.</param>
    /// <exception cref="ArgumentException">An argument is empty or invalid; nothing has been sent.</exception>
    public Job(string name, JobOptions options)
        : this(name, options, CreateOwnedClient(), null, null, ownsClient: true, settingsAreParameters: false)
    {
    }

    /// <summary>
    /// Creates a job that sends with a caller-owned <see cref="HttpClient"/>, which is never disposed by the job.
    /// </summary>
    /// <param name="name">The ETL job's name.</param>
    /// <param name="options">The Jobs API settings; <see cref="JobOptions.Source"/> and <see cref="JobOptions.Destination"/> are required. They are copied.</param>
    /// <param name="httpClient">The client to send with (from <c>IHttpClientFactory</c>, say).</param>
    /// <param name="timeProvider">The clock for start and end dates and for retry delays; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="loggerFactory">Where runs and retries are logged; nothing is logged when null.</param>
    /// <exception cref="ArgumentException">An argument is empty or invalid; nothing has been sent.</exception>
    public Job(string name, JobOptions options, HttpClient httpClient, TimeProvider? timeProvider = null, ILoggerFactory? loggerFactory = null)
        : this(name, options, httpClient, timeProvider, loggerFactory, ownsClient: false, settingsAreParameters: false)
    {
    }

    /// <summary>For mocking: a job with no connection. Every method must be overridden before use.</summary>
    protected Job()
    {
        Name = Source = Destination = string.Empty;
    }

    private Job(string name, JobOptions options, HttpClient httpClient, TimeProvider? timeProvider, ILoggerFactory? loggerFactory, bool ownsClient, bool settingsAreParameters)
    {
        try
        {
            if (OptionsValidation.NameProblem(name) is { } nameProblem)
            {
                throw new ArgumentException(nameProblem, nameof(name));
            }

            if (options is null)
            {
                throw new ArgumentNullException(nameof(options));
            }

            if (httpClient is null)
            {
                throw new ArgumentNullException(nameof(httpClient));
            }

            Options = options.Clone();
            OptionsValidation.ThrowIfInvalid(Options, nameof(options), requireSourceAndDestination: true, settingsAreParameters);
        }
        catch when (ownsClient)
        {
            httpClient?.Dispose();
            throw;
        }

        Name = name;
        Source = Options.Source!;
        Destination = Options.Destination!;
        Time = timeProvider ?? TimeProvider.System;
        Logger = (ILogger?)loggerFactory?.CreateLogger<Job>() ?? NullLogger.Instance;
        _ownedClient = ownsClient ? httpClient : null;
        _context = new RunContext(new JobsApi(httpClient, Options, Time, Logger, name), Options, Time, Logger);
    }

    /// <summary>The ETL job's name.</summary>
    public string Name { get; }

    /// <summary>The name of the source the job reads.</summary>
    public string Source { get; }

    /// <summary>The name of the destination the job writes.</summary>
    public string Destination { get; }

    /// <summary>
    /// The run <see cref="StartAsync"/> or <see cref="RunAsync(Func{DateTimeOffset?, CancellationToken, Task{long}}, CancellationToken)"/>
    /// started last, as last returned by the server; <see langword="null"/> before either.
    /// </summary>
    public virtual JobRecord? Current
    {
        get
        {
            lock (_gate)
            {
                return _current?.Record;
            }
        }
    }

    /// <summary>The validated copy of the options this job was made with.</summary>
    internal JobOptions Options { get; } = new();

    /// <summary>The clock for start and end dates, timeouts and retry delays.</summary>
    internal TimeProvider Time { get; } = TimeProvider.System;

    internal ILogger Logger { get; } = NullLogger.Instance;

    /// <summary>
    /// The watermark: the <c>start_date</c> of this job's successful run with the greatest <c>start_date</c>.
    /// Extract source records modified at or after it.
    /// </summary>
    /// <param name="cancellationToken">Cancels the request and any retry wait.</param>
    /// <returns>The watermark, or <see langword="null"/> when the job has no successful run.</returns>
    /// <exception cref="JobsApiException">The Jobs API answered with an error, or could not be reached in time.</exception>
    public virtual async Task<DateTimeOffset?> MostRecentAsync(CancellationToken cancellationToken = default)
    {
        using var activity = Telemetry.StartOperation("JobUtil.MostRecent", Name);
        try
        {
            return await _context.Api.GetWatermarkAsync(Name, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            Telemetry.Fail(activity, e);
            throw;
        }
    }

    /// <summary>
    /// Begins a run, as every host does: ends this job's stale runs first when
    /// <see cref="JobOptions.RecoverStaleRunsOlderThan"/> is set, reads the watermark and takes
    /// <see cref="JobOptions.WatermarkLookback"/> off it (<see cref="JobRun.Since"/>), then starts the run (a row with
    /// status <c>in_progress</c>, heartbeats when <see cref="JobOptions.HeartbeatInterval"/> is set). Do the work from
    /// <see cref="JobRun.Since"/>, then call <see cref="JobRun.FinishAsync"/> or
    /// <see cref="JobRun.TryFailAsync(Exception, bool)"/>. The run does not become <see cref="Current"/>.
    /// </summary>
    /// <param name="cancellationToken">
    /// Cancels the recovery, the watermark read, the start and any retry wait. A start cancelled while its request is in
    /// flight may have been committed: the run is then looked up and recorded as an error (within
    /// <see cref="JobOptions.OutcomeTimeout"/>) before the <see cref="OperationCanceledException"/> propagates.
    /// </param>
    /// <returns>The new run's handle; nothing was started when this throws.</returns>
    /// <exception cref="InvalidOperationException">
    /// This instance is starting another run, or its current run (<see cref="StartAsync"/>) is still in progress:
    /// nothing is sent.
    /// </exception>
    /// <exception cref="JobAlreadyRunningException">The server's overlap guard refused a second run of this job.</exception>
    /// <exception cref="JobsApiException">The Jobs API answered with an error, or could not be reached in time.</exception>
    public virtual async Task<JobRun> BeginRunAsync(CancellationToken cancellationToken = default)
    {
        BeginStart();
        try
        {
            return await BeginNewRunAsync(readCursor: true, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            EndStart();
        }
    }

    /// <summary>
    /// The cursor: where this job's last successful run that stored one got to in its source, recorded with its outcome.
    /// Of the successful runs with a cursor, the one with the greatest <c>start_date</c> (then <c>id</c>) counts, as
    /// for the watermark; a failed run records none, so the next run resumes from the last good one. Read typed cursors
    /// with <see cref="JobCursor.ToTimestamp"/> or <see cref="JobCursor.ToInt64"/>.
    /// </summary>
    /// <param name="cancellationToken">Cancels the request and any retry wait.</param>
    /// <returns>The cursor, or <see langword="null"/> when no successful run stored one.</returns>
    /// <exception cref="JobsApiException">
    /// The Jobs API answered with an error (such as a table without the <c>cursor</c> column that db/schema.sql adds), or
    /// could not be reached in time.
    /// </exception>
    public virtual async Task<string?> LastCursorAsync(CancellationToken cancellationToken = default)
    {
        using var activity = Telemetry.StartOperation("JobUtil.LastCursor", Name);
        try
        {
            return await _context.Api.GetLastCursorAsync(Name, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            Telemetry.Fail(activity, e);
            throw;
        }
    }

    /// <summary>
    /// Starts a run: inserts a row with status <c>in_progress</c> and a start date from the clock (UTC, microseconds),
    /// and makes it <see cref="Current"/>. A retried start never creates a second row (see the README).
    /// </summary>
    /// <param name="cancellationToken">Cancels the request and any retry wait.</param>
    /// <returns>The new run, with the id the server gave it.</returns>
    /// <exception cref="InvalidOperationException">
    /// The current run is still in progress (record its result first), or this instance is starting another run: one
    /// instance starts and tracks one run at a time. Nothing is sent.
    /// </exception>
    /// <exception cref="JobAlreadyRunningException">The server's overlap guard refused a second run of this job.</exception>
    /// <exception cref="JobsApiException">The Jobs API answered with an error, or could not be reached in time.</exception>
    public virtual async Task<JobRecord> StartAsync(CancellationToken cancellationToken = default)
    {
        BeginStart();
        try
        {
            var run = await StartNewRunAsync(cancellationToken).ConfigureAwait(false);
            MakeCurrent(run);
            return run.Record;
        }
        finally
        {
            EndStart();
        }
    }

    /// <summary>
    /// Starts a run, as <see cref="StartAsync"/> does, and returns its handle, which records the outcome. No watermark
    /// is read (<see cref="JobRun.Since"/> is null): <see cref="BeginRunAsync"/> reads it. The run does not become
    /// <see cref="Current"/>: each handle is its own run, so one job may have several at once.
    /// Disposing the handle without an outcome records the run as an error.
    /// </summary>
    /// <param name="cancellationToken">
    /// Cancels the request and any retry wait. A start cancelled while its request is in flight may have been committed:
    /// the run is then looked up and recorded as an error (within <see cref="JobOptions.OutcomeTimeout"/>) before the
    /// <see cref="OperationCanceledException"/> propagates.
    /// </param>
    /// <returns>The new run's handle.</returns>
    /// <exception cref="InvalidOperationException">
    /// This instance is starting another run, or its current run (<see cref="StartAsync"/>, <see cref="RunAsync(Func{DateTimeOffset?, CancellationToken, Task{long}}, CancellationToken)"/>)
    /// is still in progress: nothing is sent.
    /// </exception>
    /// <exception cref="JobAlreadyRunningException">The server's overlap guard refused a second run of this job.</exception>
    /// <exception cref="JobsApiException">The Jobs API answered with an error, or could not be reached in time.</exception>
    public virtual async Task<JobRun> StartRunAsync(CancellationToken cancellationToken = default)
    {
        BeginStart();
        try
        {
            return await StartNewRunAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            EndStart();
        }
    }

    /// <summary>
    /// A handle for run <paramref name="id"/> of this job, which may have been started by another process (a scheduler
    /// that knows only the id, say), so that this one can record its outcome. A run of another job is refused, so a
    /// mistyped id never ends another job's run: <see cref="JobRun.OpenOfAnyJobAsync"/> opens a run of any job. The
    /// handle does not become <see cref="Current"/>, and disposing it without an outcome records the run as an error, as
    /// for a run this job started.
    /// </summary>
    /// <param name="id">The run's id.</param>
    /// <param name="cancellationToken">Cancels the request and any retry wait.</param>
    /// <returns>The run's handle; <see cref="JobRun.HasOutcome"/> is already true when the run has ended.</returns>
    /// <exception cref="InvalidOperationException">Run <paramref name="id"/> belongs to another job (the message names both); nothing was changed.</exception>
    /// <exception cref="JobRunNotFoundException">No run has that id.</exception>
    /// <exception cref="JobsApiException">The Jobs API answered with an error, or could not be reached in time.</exception>
    public virtual async Task<JobRun> OpenRunAsync(long id, CancellationToken cancellationToken = default)
    {
        var run = await JobRun.ReadAsync(_context, id, Name, cancellationToken).ConfigureAwait(false);
        if (!string.Equals(run.Name, Name, StringComparison.Ordinal))
        {
            throw new InvalidOperationException(
                $"Run {id.ToString(System.Globalization.CultureInfo.InvariantCulture)} belongs to job '{run.Name}', not to job '{Name}'. Check the id; to open a run of any job, use JobRun.OpenOfAnyJobAsync.");
        }

        return new JobRun(_context, run);
    }

    /// <summary>Reads run <paramref name="id"/> as the server holds it (of any job on this Jobs API).</summary>
    /// <param name="id">The run's id.</param>
    /// <param name="cancellationToken">Cancels the request and any retry wait.</param>
    /// <returns>The run.</returns>
    /// <exception cref="JobRunNotFoundException">No run has that id.</exception>
    /// <exception cref="JobsApiException">The Jobs API answered with an error, or could not be reached in time.</exception>
    public virtual Task<JobRecord> GetRunAsync(long id, CancellationToken cancellationToken = default)
        => JobRun.ReadAsync(_context, id, Name, cancellationToken);

    /// <summary>This job's most recent runs, newest first (by start date, then id), whatever their status.</summary>
    /// <param name="limit">How many runs at most; at least 1.</param>
    /// <param name="cancellationToken">Cancels the request and any retry wait.</param>
    /// <returns>Up to <paramref name="limit"/> runs; empty when the job has none.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="limit"/> is less than 1.</exception>
    /// <exception cref="JobsApiException">The Jobs API answered with an error, or could not be reached in time.</exception>
    public virtual async Task<IReadOnlyList<JobRecord>> ListRunsAsync(int limit = 20, CancellationToken cancellationToken = default)
    {
        if (limit < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(limit), limit, "The number of runs to list must be at least 1.");
        }

        using var activity = Telemetry.StartOperation("JobUtil.ListRuns", Name);
        try
        {
            return await _context.Api.ListRunsAsync(Name, limit, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            Telemetry.Fail(activity, e);
            throw;
        }
    }

    /// <summary>
    /// Ends this job's stale runs as <see cref="JobStatus.Error"/>: the runs in progress whose heartbeat, or whose start
    /// when they have none, is older than <paramref name="olderThan"/> on the job's clock. Each is ended with one
    /// conditional update that holds only while the run is still in progress and still stale, so two recoverers end a
    /// run once, and a run that sends a heartbeat meanwhile is left alone. The message says that the run was abandoned,
    /// when it was last seen (its last heartbeat, or its start) and on which host.
    /// </summary>
    /// <param name="olderThan">How long since a run was last seen before it counts as stale; longer than zero. Make it several heartbeat intervals.</param>
    /// <param name="cancellationToken">Cancels the requests and any retry wait.</param>
    /// <returns>The runs this call ended, as recorded, oldest first; empty when there were none.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="olderThan"/> is not longer than zero.</exception>
    /// <exception cref="JobsApiException">The Jobs API answered with an error (such as a table without the <c>heartbeat_at</c> column), or could not be reached in time.</exception>
    public virtual Task<IReadOnlyList<JobRecord>> RecoverStaleRunsAsync(TimeSpan olderThan, CancellationToken cancellationToken = default)
        => StaleRuns.RecoverAsync(_context.Api, [Name], olderThan, Time, Logger, cancellationToken);

    /// <summary>
    /// Records the outcome of the current run: its end date, <paramref name="status"/>, and the record count and
    /// message when given (a value not given is left as it is on the server). The same as
    /// <see cref="JobRun.CompleteAsync"/> on the run <see cref="StartAsync"/> started.
    /// </summary>
    /// <param name="status"><see cref="JobStatus.Success"/> or <see cref="JobStatus.Error"/>.</param>
    /// <param name="recordsProcessed">How many records the run processed; not sent when null.</param>
    /// <param name="message">A message, such as the error; not sent when null.</param>
    /// <param name="cancellationToken">Cancels the request and any retry wait.</param>
    /// <returns>The updated run, which becomes <see cref="Current"/>.</returns>
    /// <exception cref="ArgumentException"><paramref name="status"/> is not Success or Error, or <paramref name="recordsProcessed"/> is outside 0 to 2,147,483,647 (the column is an INTEGER).</exception>
    /// <exception cref="InvalidOperationException">No run has been started, or the current run already has an outcome.</exception>
    /// <exception cref="JobRunAlreadyEndedException">The run had already ended on the server with another outcome; it was not changed.</exception>
    /// <exception cref="JobRunNotFoundException">The run no longer exists on the server.</exception>
    /// <exception cref="JobsApiException">The Jobs API answered with an error, or could not be reached in time.</exception>
    public virtual Task<JobRecord> ResultAsync(JobStatus status, long? recordsProcessed, string? message, CancellationToken cancellationToken)
        => ResultAsync(status, recordsProcessed, message, null, cancellationToken);

    /// <summary>
    /// Records the outcome of the current run, as <see cref="ResultAsync(JobStatus, long?, string?, CancellationToken)"/>
    /// does, and with a success the position it reached in its source (<paramref name="cursor"/>), which the next run
    /// gets (<see cref="LastCursorAsync"/>, <see cref="JobRun.LastCursor"/>).
    /// </summary>
    /// <param name="status"><see cref="JobStatus.Success"/> or <see cref="JobStatus.Error"/>.</param>
    /// <param name="recordsProcessed">How many records the run processed; not sent when null.</param>
    /// <param name="message">A message, such as the error; not sent when null.</param>
    /// <param name="cursor">
    /// Where the run got to (see <see cref="JobCursor"/>); not sent when null. Only a success records one: a failed run
    /// leaves the cursor where the last good run put it. At most <see cref="JobCursor.MaxLength"/> bytes of UTF-8, not empty.
    /// </param>
    /// <param name="cancellationToken">Cancels the request and any retry wait.</param>
    /// <returns>The updated run, which becomes <see cref="Current"/>.</returns>
    /// <exception cref="ArgumentException">
    /// <paramref name="status"/> is not Success or Error, <paramref name="recordsProcessed"/> is outside 0 to
    /// 2,147,483,647, or <paramref name="cursor"/> is given with an error, empty or too long: nothing is sent.
    /// </exception>
    /// <exception cref="InvalidOperationException">No run has been started, or the current run already has an outcome.</exception>
    /// <exception cref="JobRunAlreadyEndedException">The run had already ended on the server with another outcome; it was not changed.</exception>
    /// <exception cref="JobRunNotFoundException">The run no longer exists on the server.</exception>
    /// <exception cref="JobsApiException">The Jobs API answered with an error (such as a table without the <c>cursor</c> column), or could not be reached in time.</exception>
    public virtual Task<JobRecord> ResultAsync(JobStatus status, long? recordsProcessed = null, string? message = null, string? cursor = null, CancellationToken cancellationToken = default)
    {
        try
        {
            JobRun.ThrowIfInvalidOutcome(status, recordsProcessed);
            RunRules.OutcomeCursor(status, cursor);
        }
        catch (ArgumentException e)
        {
            return Task.FromException<JobRecord>(e);
        }

        JobRun? current;
        lock (_gate)
        {
            current = _current;
        }

        return current is null
            ? Task.FromException<JobRecord>(new InvalidOperationException($"Job '{Name}' has no current run. Call StartAsync before ResultAsync."))
            : current.CompleteCoreAsync(status, recordsProcessed, message, cursor, cancellationToken);
    }

    /// <summary>
    /// Runs one whole ETL run around <paramref name="body"/>: begins the run (<see cref="BeginRunAsync"/>: the watermark
    /// with <see cref="JobOptions.WatermarkLookback"/> taken off, then the start), calls <paramref name="body"/> with
    /// <see cref="JobRun.Since"/>, and records <see cref="JobStatus.Success"/> with the count it returns
    /// (<see cref="JobRun.FinishAsync"/>). When <paramref name="body"/> throws, the run is recorded as
    /// <see cref="JobStatus.Error"/> with the exception's type and message (<see cref="JobRun.TryFailAsync(Exception, bool)"/>),
    /// and the same exception is rethrown; when the caller cancels, the error says so, and the cancellation propagates.
    /// The run becomes <see cref="Current"/>.
    /// </summary>
    /// <remarks>
    /// A body may count records in any integer type, nullable or not (a null count records none): each has an overload,
    /// so a lambda or a method group returning <c>Task&lt;long?&gt;</c> or <c>Task&lt;int&gt;</c> binds to one that
    /// records its count. A body that returns a plain <see cref="Task"/> records no count.
    /// </remarks>
    /// <param name="body">The ETL work: given the watermark (null on the first run), returns the number of records processed.</param>
    /// <param name="cancellationToken">Cancels the watermark read, the start and the body.</param>
    /// <returns>The count <paramref name="body"/> returned.</returns>
    /// <exception cref="InvalidOperationException">
    /// The count does not fit the <c>records_processed</c> column (0 to 2,147,483,647): the run is recorded as an error
    /// saying so. Or this instance's current run is still in progress, or it is starting another: nothing is sent.
    /// </exception>
    /// <exception cref="JobsApiException">The watermark or the start failed (the body did not run), or recording success failed.</exception>
    public virtual Task<long> RunAsync(Func<DateTimeOffset?, CancellationToken, Task<long>> body, CancellationToken cancellationToken = default)
        => RunCountedAsync(body, static n => n, cancellationToken);

    /// <summary>
    /// Runs one whole ETL run whose body counts records as a nullable <see cref="long"/> (null: no count); otherwise as
    /// <see cref="RunAsync(Func{DateTimeOffset?, CancellationToken, Task{long}}, CancellationToken)"/>.
    /// </summary>
    /// <param name="body">The ETL work: given the watermark (null on the first run), returns the number of records processed.</param>
    /// <param name="cancellationToken">Cancels the watermark read, the start and the body.</param>
    /// <returns>The count <paramref name="body"/> returned.</returns>
    /// <exception cref="InvalidOperationException">The count does not fit the <c>records_processed</c> column; or this instance is busy with another run.</exception>
    /// <exception cref="JobsApiException">The watermark or the start failed (the body did not run), or recording success failed.</exception>
    public virtual Task<long?> RunAsync(Func<DateTimeOffset?, CancellationToken, Task<long?>> body, CancellationToken cancellationToken = default)
        => RunCountedAsync(body, static n => n, cancellationToken);

    /// <summary>
    /// Runs one whole ETL run whose body counts records as an <see cref="int"/>; otherwise as
    /// <see cref="RunAsync(Func{DateTimeOffset?, CancellationToken, Task{long}}, CancellationToken)"/>.
    /// </summary>
    /// <param name="body">The ETL work: given the watermark (null on the first run), returns the number of records processed.</param>
    /// <param name="cancellationToken">Cancels the watermark read, the start and the body.</param>
    /// <returns>The count <paramref name="body"/> returned.</returns>
    /// <exception cref="InvalidOperationException">The count does not fit the <c>records_processed</c> column; or this instance is busy with another run.</exception>
    /// <exception cref="JobsApiException">The watermark or the start failed (the body did not run), or recording success failed.</exception>
    public virtual Task<int> RunAsync(Func<DateTimeOffset?, CancellationToken, Task<int>> body, CancellationToken cancellationToken = default)
        => RunCountedAsync(body, static n => n, cancellationToken);

    /// <summary>
    /// Runs one whole ETL run whose body counts records as a nullable <see cref="int"/> (null: no count); otherwise as
    /// <see cref="RunAsync(Func{DateTimeOffset?, CancellationToken, Task{long}}, CancellationToken)"/>.
    /// </summary>
    /// <param name="body">The ETL work: given the watermark (null on the first run), returns the number of records processed.</param>
    /// <param name="cancellationToken">Cancels the watermark read, the start and the body.</param>
    /// <returns>The count <paramref name="body"/> returned.</returns>
    /// <exception cref="InvalidOperationException">The count does not fit the <c>records_processed</c> column; or this instance is busy with another run.</exception>
    /// <exception cref="JobsApiException">The watermark or the start failed (the body did not run), or recording success failed.</exception>
    public virtual Task<int?> RunAsync(Func<DateTimeOffset?, CancellationToken, Task<int?>> body, CancellationToken cancellationToken = default)
        => RunCountedAsync(body, static n => n, cancellationToken);

    /// <summary>
    /// Runs one whole ETL run whose body counts records as a <see cref="short"/>; otherwise as
    /// <see cref="RunAsync(Func{DateTimeOffset?, CancellationToken, Task{long}}, CancellationToken)"/>.
    /// </summary>
    /// <param name="body">The ETL work: given the watermark (null on the first run), returns the number of records processed.</param>
    /// <param name="cancellationToken">Cancels the watermark read, the start and the body.</param>
    /// <returns>The count <paramref name="body"/> returned.</returns>
    /// <exception cref="InvalidOperationException">The count does not fit the <c>records_processed</c> column; or this instance is busy with another run.</exception>
    /// <exception cref="JobsApiException">The watermark or the start failed (the body did not run), or recording success failed.</exception>
    public virtual Task<short> RunAsync(Func<DateTimeOffset?, CancellationToken, Task<short>> body, CancellationToken cancellationToken = default)
        => RunCountedAsync(body, static n => n, cancellationToken);

    /// <summary>
    /// Runs one whole ETL run whose body counts records as a nullable <see cref="short"/> (null: no count); otherwise as
    /// <see cref="RunAsync(Func{DateTimeOffset?, CancellationToken, Task{long}}, CancellationToken)"/>.
    /// </summary>
    /// <param name="body">The ETL work: given the watermark (null on the first run), returns the number of records processed.</param>
    /// <param name="cancellationToken">Cancels the watermark read, the start and the body.</param>
    /// <returns>The count <paramref name="body"/> returned.</returns>
    /// <exception cref="InvalidOperationException">The count does not fit the <c>records_processed</c> column; or this instance is busy with another run.</exception>
    /// <exception cref="JobsApiException">The watermark or the start failed (the body did not run), or recording success failed.</exception>
    public virtual Task<short?> RunAsync(Func<DateTimeOffset?, CancellationToken, Task<short?>> body, CancellationToken cancellationToken = default)
        => RunCountedAsync(body, static n => n, cancellationToken);

    /// <summary>
    /// Runs one whole ETL run whose body counts records as a <see cref="ushort"/>; otherwise as
    /// <see cref="RunAsync(Func{DateTimeOffset?, CancellationToken, Task{long}}, CancellationToken)"/>.
    /// </summary>
    /// <param name="body">The ETL work: given the watermark (null on the first run), returns the number of records processed.</param>
    /// <param name="cancellationToken">Cancels the watermark read, the start and the body.</param>
    /// <returns>The count <paramref name="body"/> returned.</returns>
    /// <exception cref="InvalidOperationException">The count does not fit the <c>records_processed</c> column; or this instance is busy with another run.</exception>
    /// <exception cref="JobsApiException">The watermark or the start failed (the body did not run), or recording success failed.</exception>
    public virtual Task<ushort> RunAsync(Func<DateTimeOffset?, CancellationToken, Task<ushort>> body, CancellationToken cancellationToken = default)
        => RunCountedAsync(body, static n => n, cancellationToken);

    /// <summary>
    /// Runs one whole ETL run whose body counts records as a nullable <see cref="ushort"/> (null: no count); otherwise as
    /// <see cref="RunAsync(Func{DateTimeOffset?, CancellationToken, Task{long}}, CancellationToken)"/>.
    /// </summary>
    /// <param name="body">The ETL work: given the watermark (null on the first run), returns the number of records processed.</param>
    /// <param name="cancellationToken">Cancels the watermark read, the start and the body.</param>
    /// <returns>The count <paramref name="body"/> returned.</returns>
    /// <exception cref="InvalidOperationException">The count does not fit the <c>records_processed</c> column; or this instance is busy with another run.</exception>
    /// <exception cref="JobsApiException">The watermark or the start failed (the body did not run), or recording success failed.</exception>
    public virtual Task<ushort?> RunAsync(Func<DateTimeOffset?, CancellationToken, Task<ushort?>> body, CancellationToken cancellationToken = default)
        => RunCountedAsync(body, static n => n, cancellationToken);

    /// <summary>
    /// Runs one whole ETL run whose body counts records as an <see cref="sbyte"/>; otherwise as
    /// <see cref="RunAsync(Func{DateTimeOffset?, CancellationToken, Task{long}}, CancellationToken)"/>.
    /// </summary>
    /// <param name="body">The ETL work: given the watermark (null on the first run), returns the number of records processed.</param>
    /// <param name="cancellationToken">Cancels the watermark read, the start and the body.</param>
    /// <returns>The count <paramref name="body"/> returned.</returns>
    /// <exception cref="InvalidOperationException">The count does not fit the <c>records_processed</c> column; or this instance is busy with another run.</exception>
    /// <exception cref="JobsApiException">The watermark or the start failed (the body did not run), or recording success failed.</exception>
    public virtual Task<sbyte> RunAsync(Func<DateTimeOffset?, CancellationToken, Task<sbyte>> body, CancellationToken cancellationToken = default)
        => RunCountedAsync(body, static n => n, cancellationToken);

    /// <summary>
    /// Runs one whole ETL run whose body counts records as a nullable <see cref="sbyte"/> (null: no count); otherwise as
    /// <see cref="RunAsync(Func{DateTimeOffset?, CancellationToken, Task{long}}, CancellationToken)"/>.
    /// </summary>
    /// <param name="body">The ETL work: given the watermark (null on the first run), returns the number of records processed.</param>
    /// <param name="cancellationToken">Cancels the watermark read, the start and the body.</param>
    /// <returns>The count <paramref name="body"/> returned.</returns>
    /// <exception cref="InvalidOperationException">The count does not fit the <c>records_processed</c> column; or this instance is busy with another run.</exception>
    /// <exception cref="JobsApiException">The watermark or the start failed (the body did not run), or recording success failed.</exception>
    public virtual Task<sbyte?> RunAsync(Func<DateTimeOffset?, CancellationToken, Task<sbyte?>> body, CancellationToken cancellationToken = default)
        => RunCountedAsync(body, static n => n, cancellationToken);

    /// <summary>
    /// Runs one whole ETL run whose body counts records as a <see cref="byte"/>; otherwise as
    /// <see cref="RunAsync(Func{DateTimeOffset?, CancellationToken, Task{long}}, CancellationToken)"/>.
    /// </summary>
    /// <param name="body">The ETL work: given the watermark (null on the first run), returns the number of records processed.</param>
    /// <param name="cancellationToken">Cancels the watermark read, the start and the body.</param>
    /// <returns>The count <paramref name="body"/> returned.</returns>
    /// <exception cref="InvalidOperationException">The count does not fit the <c>records_processed</c> column; or this instance is busy with another run.</exception>
    /// <exception cref="JobsApiException">The watermark or the start failed (the body did not run), or recording success failed.</exception>
    public virtual Task<byte> RunAsync(Func<DateTimeOffset?, CancellationToken, Task<byte>> body, CancellationToken cancellationToken = default)
        => RunCountedAsync(body, static n => n, cancellationToken);

    /// <summary>
    /// Runs one whole ETL run whose body counts records as a nullable <see cref="byte"/> (null: no count); otherwise as
    /// <see cref="RunAsync(Func{DateTimeOffset?, CancellationToken, Task{long}}, CancellationToken)"/>.
    /// </summary>
    /// <param name="body">The ETL work: given the watermark (null on the first run), returns the number of records processed.</param>
    /// <param name="cancellationToken">Cancels the watermark read, the start and the body.</param>
    /// <returns>The count <paramref name="body"/> returned.</returns>
    /// <exception cref="InvalidOperationException">The count does not fit the <c>records_processed</c> column; or this instance is busy with another run.</exception>
    /// <exception cref="JobsApiException">The watermark or the start failed (the body did not run), or recording success failed.</exception>
    public virtual Task<byte?> RunAsync(Func<DateTimeOffset?, CancellationToken, Task<byte?>> body, CancellationToken cancellationToken = default)
        => RunCountedAsync(body, static n => n, cancellationToken);

    /// <summary>
    /// Runs one whole ETL run whose body counts records as a <see cref="uint"/>; otherwise as
    /// <see cref="RunAsync(Func{DateTimeOffset?, CancellationToken, Task{long}}, CancellationToken)"/>.
    /// </summary>
    /// <param name="body">The ETL work: given the watermark (null on the first run), returns the number of records processed.</param>
    /// <param name="cancellationToken">Cancels the watermark read, the start and the body.</param>
    /// <returns>The count <paramref name="body"/> returned.</returns>
    /// <exception cref="InvalidOperationException">The count does not fit the <c>records_processed</c> column; or this instance is busy with another run.</exception>
    /// <exception cref="JobsApiException">The watermark or the start failed (the body did not run), or recording success failed.</exception>
    public virtual Task<uint> RunAsync(Func<DateTimeOffset?, CancellationToken, Task<uint>> body, CancellationToken cancellationToken = default)
        => RunCountedAsync(body, static n => n, cancellationToken);

    /// <summary>
    /// Runs one whole ETL run whose body counts records as a nullable <see cref="uint"/> (null: no count); otherwise as
    /// <see cref="RunAsync(Func{DateTimeOffset?, CancellationToken, Task{long}}, CancellationToken)"/>.
    /// </summary>
    /// <param name="body">The ETL work: given the watermark (null on the first run), returns the number of records processed.</param>
    /// <param name="cancellationToken">Cancels the watermark read, the start and the body.</param>
    /// <returns>The count <paramref name="body"/> returned.</returns>
    /// <exception cref="InvalidOperationException">The count does not fit the <c>records_processed</c> column; or this instance is busy with another run.</exception>
    /// <exception cref="JobsApiException">The watermark or the start failed (the body did not run), or recording success failed.</exception>
    public virtual Task<uint?> RunAsync(Func<DateTimeOffset?, CancellationToken, Task<uint?>> body, CancellationToken cancellationToken = default)
        => RunCountedAsync(body, static n => n, cancellationToken);

    /// <summary>
    /// Runs one whole ETL run whose body counts records as a <see cref="ulong"/>; otherwise as
    /// <see cref="RunAsync(Func{DateTimeOffset?, CancellationToken, Task{long}}, CancellationToken)"/>.
    /// </summary>
    /// <param name="body">The ETL work: given the watermark (null on the first run), returns the number of records processed.</param>
    /// <param name="cancellationToken">Cancels the watermark read, the start and the body.</param>
    /// <returns>The count <paramref name="body"/> returned.</returns>
    /// <exception cref="InvalidOperationException">The count does not fit the <c>records_processed</c> column; or this instance is busy with another run.</exception>
    /// <exception cref="JobsApiException">The watermark or the start failed (the body did not run), or recording success failed.</exception>
    public virtual Task<ulong> RunAsync(Func<DateTimeOffset?, CancellationToken, Task<ulong>> body, CancellationToken cancellationToken = default)
        => RunCountedAsync(body, static n => RunRules.Count(n), cancellationToken);

    /// <summary>
    /// Runs one whole ETL run whose body counts records as a nullable <see cref="ulong"/> (null: no count); otherwise as
    /// <see cref="RunAsync(Func{DateTimeOffset?, CancellationToken, Task{long}}, CancellationToken)"/>.
    /// </summary>
    /// <param name="body">The ETL work: given the watermark (null on the first run), returns the number of records processed.</param>
    /// <param name="cancellationToken">Cancels the watermark read, the start and the body.</param>
    /// <returns>The count <paramref name="body"/> returned.</returns>
    /// <exception cref="InvalidOperationException">The count does not fit the <c>records_processed</c> column; or this instance is busy with another run.</exception>
    /// <exception cref="JobsApiException">The watermark or the start failed (the body did not run), or recording success failed.</exception>
    public virtual Task<ulong?> RunAsync(Func<DateTimeOffset?, CancellationToken, Task<ulong?>> body, CancellationToken cancellationToken = default)
        => RunCountedAsync(body, static n => n is { } count ? RunRules.Count(count) : null, cancellationToken);

    /// <summary>
    /// Runs one whole ETL run whose body reports no record count (it returns a plain <see cref="Task"/>); otherwise as
    /// <see cref="RunAsync(Func{DateTimeOffset?, CancellationToken, Task{long}}, CancellationToken)"/>.
    /// </summary>
    /// <param name="body">The ETL work, given the watermark (null on the first run).</param>
    /// <param name="cancellationToken">Cancels the watermark read, the start and the body.</param>
    /// <returns>A task that completes when the outcome is recorded.</returns>
    /// <exception cref="InvalidOperationException">This instance's current run is still in progress, or it is starting another: nothing is sent.</exception>
    /// <exception cref="JobsApiException">The watermark or the start failed (the body did not run), or recording success failed.</exception>
    public virtual Task RunAsync(Func<DateTimeOffset?, CancellationToken, Task> body, CancellationToken cancellationToken = default)
    {
        if (body is null)
        {
            return Task.FromException(new ArgumentNullException(nameof(body)));
        }

        return RunCountedAsync(
            async (since, ct) =>
            {
                await body(since, ct).ConfigureAwait(false);
                return false;
            },
            static _ => null,
            cancellationToken);
    }

    /// <summary>
    /// Runs one whole ETL run that resumes from a cursor, a position in the source's own data, rather than from the
    /// watermark: begins the run (<see cref="BeginRunAsync"/>), calls <paramref name="body"/> with
    /// <see cref="JobRun.LastCursor"/> (the cursor of the last successful run that stored one), and records
    /// <see cref="JobStatus.Success"/> with the count and the new cursor the body returns, together
    /// (<see cref="JobRun.FinishAsync"/>). When <paramref name="body"/> throws, the run is recorded as
    /// <see cref="JobStatus.Error"/> with no cursor, so the next run gets the same one, and the same exception is rethrown.
    /// The run becomes <see cref="Current"/>.
    /// </summary>
    /// <example>
    /// <code>
    /// await job.RunAsync(async (cursor, ct) =>
    /// {
    ///     var changed = await source.ReadUpdatedSinceAsync(JobCursor.ToTimestamp(cursor), ct);
    ///     await destination.UpsertAsync(changed, ct);
    ///     return new JobRunResult(changed.Count, changed.Count == 0 ? cursor : JobCursor.FromTimestamp(changed.Max(o => o.UpdatedAt)));
    /// }, cancellationToken);
    /// </code>
    /// </example>
    /// <param name="body">The ETL work: given the last cursor (null on the first run), returns the count and the position it reached.</param>
    /// <param name="cancellationToken">Cancels the reads, the start and the body.</param>
    /// <returns>What <paramref name="body"/> returned.</returns>
    /// <exception cref="ArgumentException">
    /// The cursor the body returned cannot be stored (empty, or longer than <see cref="JobCursor.MaxLength"/> bytes of
    /// UTF-8): the run is recorded as an error saying so.
    /// </exception>
    /// <exception cref="InvalidOperationException">
    /// The body returned null, or a count that does not fit the <c>records_processed</c> column: the run is recorded as an
    /// error saying so. Or this instance's current run is still in progress, or it is starting another: nothing is sent.
    /// </exception>
    /// <exception cref="JobsApiException">The reads or the start failed (the body did not run), or recording success failed (such as a table without the <c>cursor</c> column).</exception>
    public virtual async Task<JobRunResult> RunAsync(Func<string?, CancellationToken, Task<JobRunResult>> body, CancellationToken cancellationToken = default)
    {
        if (body is null)
        {
            throw new ArgumentNullException(nameof(body));
        }

        BeginStart();
        JobRun run;
        try
        {
            run = await BeginNewRunAsync(readCursor: true, cancellationToken).ConfigureAwait(false);
            MakeCurrent(run);
        }
        finally
        {
            EndStart();
        }

        JobRunResult? result;
        try
        {
            result = await body(run.LastCursor, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception failure)
        {
            await run.TryFailAsync(failure, cancelled: cancellationToken.IsCancellationRequested).ConfigureAwait(false);
            throw;
        }

        if (result is null)
        {
            var none = new InvalidOperationException($"The body of job '{Name}' returned null instead of a JobRunResult.");
            await run.TryFailAsync(none).ConfigureAwait(false);
            throw none;
        }

        await run.FinishAsync(result.RecordsProcessed, cursor: result.Cursor).ConfigureAwait(false);
        return result;
    }

    /// <summary>
    /// Ends the job as a disposed <see cref="JobRun"/> ends its run: a run <see cref="StartAsync"/> started whose result
    /// was not recorded is recorded as <see cref="JobStatus.Error"/> with <see cref="JobRun.NoOutcomeMessage"/> (this
    /// waits for at most <see cref="JobOptions.OutcomeTimeout"/>; a failure is logged as <c>OutcomeNotRecorded</c>, never
    /// thrown), and its heartbeats stop. Then the <see cref="HttpClient"/> this job created is disposed (a caller's
    /// client is left alone).
    /// </summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Describes the job (name, source, destination, current run); never the token.</summary>
    public override string ToString() => $"Job {Name} ({Source} -> {Destination}), current run: {Current?.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}";

    /// <summary>
    /// When <paramref name="disposing"/>: records the error of a run <see cref="StartAsync"/> left without a result, then
    /// disposes the <see cref="HttpClient"/> this job created.
    /// </summary>
    /// <param name="disposing">Whether this is called from <see cref="Dispose()"/>.</param>
    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            JobRun? current;
            lock (_gate)
            {
                current = _current;
            }

            if (current is { HasOutcome: false, IsGivenUp: false })
            {
                // The same rule as a disposed JobRun: nobody can record this run's result any more, so record an error
                // now rather than leave it in_progress. Synchronous because IDisposable is; bounded by OutcomeTimeout,
                // and it never throws. (A run RunAsync gave up on was tried and logged already.)
                current.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
            else
            {
                current?.StopHeartbeats();
            }

            _ownedClient?.Dispose();
        }
    }

    private static HttpClient CreateOwnedClient()
    {
        // PostgREST never redirects; a redirect from something in front of it is an error that names the new address
        // (following it would send a POST or PATCH as a GET, and without the token).
#if NET
        var handler = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5), AllowAutoRedirect = false };
#else
        var handler = new HttpClientHandler { AllowAutoRedirect = false };
#endif

        // Timeouts are the pipeline's (JobOptions.AttemptTimeout and TotalTimeout).
        return new HttpClient(handler, disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>
    /// RunAsync's one path for every count type: the run begun, the body given its watermark, the outcome recorded by
    /// the handle's rules. The run becomes <see cref="Current"/>.
    /// </summary>
    private async Task<T> RunCountedAsync<T>(Func<DateTimeOffset?, CancellationToken, Task<T>> body, Func<T, long?> countOf, CancellationToken cancellationToken)
    {
        if (body is null)
        {
            throw new ArgumentNullException(nameof(body));
        }

        // The gate comes first, so a second RunAsync on this instance sends nothing, not even the watermark read.
        BeginStart();
        JobRun run;
        try
        {
            run = await BeginNewRunAsync(readCursor: false, cancellationToken).ConfigureAwait(false);
            MakeCurrent(run);
        }
        finally
        {
            EndStart();
        }

        T result;
        try
        {
            result = await body(run.Since, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception failure)
        {
            await run.TryFailAsync(failure, cancelled: cancellationToken.IsCancellationRequested).ConfigureAwait(false);
            throw;
        }

        await run.FinishAsync(countOf(result)).ConfigureAwait(false);
        return result;
    }

    /// <summary>
    /// Recovery when configured, the watermark with its lookback (and the cursor, when <paramref name="readCursor"/>), then
    /// the start; the caller holds the start gate. The watermark-only forms of RunAsync send the port's one watermark
    /// request, unchanged.
    /// </summary>
    private async Task<JobRun> BeginNewRunAsync(bool readCursor, CancellationToken cancellationToken)
    {
        if (Options.RecoverStaleRunsOlderThan is { } olderThan)
        {
            await RecoverStaleRunsAsync(olderThan, cancellationToken).ConfigureAwait(false);
        }

        if (!readCursor)
        {
            var watermark = RunRules.Since(await MostRecentAsync(cancellationToken).ConfigureAwait(false), Options.WatermarkLookback);
            return await InsertNewRunAsync(watermark, null, cancellationToken).ConfigureAwait(false);
        }

        ResumePoint resume;
        using (var activity = Telemetry.StartOperation("JobUtil.MostRecent", Name))
        {
            try
            {
                resume = await _context.Api.GetResumePointAsync(Name, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                Telemetry.Fail(activity, e);
                throw;
            }
        }

        var since = RunRules.Since(resume.Watermark, Options.WatermarkLookback);
        return await InsertNewRunAsync(since, resume.Cursor, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Recovery when configured, then the start; the caller holds the start gate.</summary>
    private async Task<JobRun> StartNewRunAsync(CancellationToken cancellationToken)
    {
        if (Options.RecoverStaleRunsOlderThan is { } olderThan)
        {
            await RecoverStaleRunsAsync(olderThan, cancellationToken).ConfigureAwait(false);
        }

        return await InsertNewRunAsync(since: null, lastCursor: null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The start's POST, traced and logged, and the new run's handle.</summary>
    private async Task<JobRun> InsertNewRunAsync(DateTimeOffset? since, string? lastCursor, CancellationToken cancellationToken)
    {
        using var activity = Telemetry.StartOperation("JobUtil.Start", Name);
        var now = RunRules.Now(Time);
        var heartbeats = Options.HeartbeatInterval;
        var run = heartbeats is null
            ? new NewRun(Name, now, Source, Destination)
            : new NewRun(Name, now, Source, Destination) { Host = Environment.MachineName, HeartbeatAt = now };
        try
        {
            JobRecord started;
            try
            {
                started = await InsertAsync(run, cancellationToken).ConfigureAwait(false);
            }
            catch (JobsApiException e) when (heartbeats is not null && e.ErrorCode is "PGRST204" or "42703" && e.ServerMessage?.Contains("run_key") != true)
            {
                throw new JobsApiException(
                    e.Status,
                    $"Starting a run of job '{Name}' failed: the jobs table has no heartbeat_at or host column, which JobOptions.HeartbeatInterval needs. Add them with db/schema.sql (it adds them if they are not there), or turn heartbeats off. ({e.Message})",
                    e.ErrorCode,
                    e);
            }

            activity?.SetTag(Telemetry.RunIdTag, started.Id);
            activity?.SetTag(Telemetry.StatusTag, started.Status.Value);
            Log.RunStarted(Logger, Name, started.Id, Source, Destination);
            return new JobRun(_context, started, since, startedHere: true, lastCursor);
        }
        catch (Exception e)
        {
            Telemetry.Fail(activity, e);
            throw;
        }
    }

    /// <summary>
    /// The POST of a new run. A start that fails for good (or that the caller cancels) after its row may have been
    /// committed would leave a run in progress with nobody to end it: look it up and record it as an error, with the
    /// reason (within <see cref="JobOptions.OutcomeTimeout"/>, best effort), then let the failure go on. What cannot be
    /// ended here is left for recovery.
    /// </summary>
    private async Task<JobRecord> InsertAsync(NewRun run, CancellationToken cancellationToken)
    {
        var progress = new StartProgress();
        try
        {
            return await _context.Api.InsertRunAsync(run, progress, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is JobsApiException or OperationCanceledException
            && (progress.MayHaveCommitted || cancellationToken.IsCancellationRequested))
        {
            var cancelled = cancellationToken.IsCancellationRequested;
            var reason = cancelled
                ? "The start was cancelled before its response arrived."
                : RunRules.BoundMessage("The start failed before its outcome was known: " + RunRules.MessageOf(e));
            using var outcome = RunRules.OutcomeTimeout(Options, Time);
            try
            {
                var ended = await _context.Api.AbandonStartAsync(progress, RunRules.StorableMessage(reason), RunRules.Now(Time), outcome.Token).ConfigureAwait(false);
                if (ended is not null && !cancelled)
                {
                    Log.FailedStartEnded(Logger, Name, ended.Id);
                }
            }
            catch (Exception cleanup) when (cleanup is JobsApiException or OperationCanceledException)
            {
                if (cancelled)
                {
                    Log.CancelledStartNotRecorded(Logger, cleanup, Name);
                }
                else
                {
                    Log.FailedStartNotEnded(Logger, cleanup, Name);
                }
            }

            throw;
        }
    }

    /// <summary>
    /// Takes the start gate: one start at a time per instance, and none while the current run is in progress.
    /// Checked and taken under one lock, so two threads cannot both pass.
    /// </summary>
    private void BeginStart()
    {
        lock (_gate)
        {
            if (_starting)
            {
                throw new InvalidOperationException(
                    $"Job '{Name}' is already starting a run. One Job instance starts and tracks one run at a time: use one instance per concurrent run.");
            }

            if (_current is { HasOutcome: false, IsGivenUp: false } current)
            {
                throw new InvalidOperationException(
                    $"Run {current.Id} of job '{Name}' is still in progress. Record its result with ResultAsync before starting another run.");
            }

            _starting = true;
        }
    }

    private void EndStart()
    {
        lock (_gate)
        {
            _starting = false;
        }
    }

    /// <summary>Makes <paramref name="run"/> the current run, for <see cref="Current"/> and <see cref="ResultAsync(JobStatus, long?, string?, string?, CancellationToken)"/>.</summary>
    private void MakeCurrent(JobRun run)
    {
        lock (_gate)
        {
            _current = run;
        }
    }
}
