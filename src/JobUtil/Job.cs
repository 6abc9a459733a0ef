using System.Diagnostics;
using JobUtil.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace JobUtil;

/// <summary>
/// One ETL job (a name, a source and a destination) and its current run, against a PostgREST Jobs API.
/// </summary>
/// <remarks>
/// <para>
/// The usual sequence is <see cref="MostRecentAsync"/> (the watermark), <see cref="StartAsync"/>, the ETL work,
/// then <see cref="ResultAsync"/>; <see cref="RunAsync(Func{DateTimeOffset?, CancellationToken, Task{long}}, CancellationToken)"/>
/// does all of it and records an error when the work fails.
/// </para>
/// <para>
/// Read methods are safe to call from several threads. One instance tracks one current run at a time.
/// Every request goes through one resilience pipeline (timeouts and retries set in <see cref="JobOptions"/>).
/// </para>
/// </remarks>
public class Job : IDisposable
{
    /// <summary>The longest message <see cref="RunAsync(Func{DateTimeOffset?, CancellationToken, Task{long}}, CancellationToken)"/> records for a failure.</summary>
    public const int MaxRecordedMessageLength = 4000;

    private readonly JobsApi _api = null!;
    private readonly TimeProvider _time = TimeProvider.System;
    private readonly ILogger _logger = NullLogger.Instance;
    private readonly JobOptions _options = new();
    private readonly HttpClient? _ownedClient;
    private readonly object _gate = new();
    private readonly Action<JobRecord>? _onStarted;
    private readonly Action<JobRecord>? _onEnded;
    private JobRecord? _current;

    // RunAsync could not record the current run's outcome: it stays in_progress on the server, but must not block
    // this job's next run.
    private bool _currentAbandoned;

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
            if (string.IsNullOrWhiteSpace(name))
            {
                throw new ArgumentException("A job name must not be null, empty or white space.", nameof(name));
            }

            if (options is null)
            {
                throw new ArgumentNullException(nameof(options));
            }

            if (httpClient is null)
            {
                throw new ArgumentNullException(nameof(httpClient));
            }

            _options = options.Clone();
            OptionsValidation.ThrowIfInvalid(_options, nameof(options), requireSourceAndDestination: true, settingsAreParameters);
        }
        catch when (ownsClient)
        {
            httpClient?.Dispose();
            throw;
        }

        Name = name;
        Source = _options.Source!;
        Destination = _options.Destination!;
        _time = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)loggerFactory?.CreateLogger<Job>() ?? NullLogger.Instance;
        _ownedClient = ownsClient ? httpClient : null;
        _api = new JobsApi(httpClient, _options, _time, _logger, name);
        _onStarted = OnStarted;
        _onEnded = OnEnded;
    }

    /// <summary>The ETL job's name.</summary>
    public string Name { get; }

    /// <summary>The name of the source the job reads.</summary>
    public string Source { get; }

    /// <summary>The name of the destination the job writes.</summary>
    public string Destination { get; }

    /// <summary>The run this job started last, as last returned by the server; <see langword="null"/> before <see cref="StartAsync"/>.</summary>
    public virtual JobRecord? Current
    {
        get
        {
            lock (_gate)
            {
                return _current;
            }
        }
    }

    /// <summary>
    /// The watermark: the <c>start_date</c> of this job's successful run with the greatest <c>start_date</c>.
    /// Extract source records modified at or after it.
    /// </summary>
    /// <param name="cancellationToken">Cancels the request and any retry wait.</param>
    /// <returns>The watermark, or <see langword="null"/> when the job has no successful run.</returns>
    /// <exception cref="JobsApiException">The Jobs API answered with an error, or could not be reached in time.</exception>
    public virtual Task<DateTimeOffset?> MostRecentAsync(CancellationToken cancellationToken = default)
    {
        // Untraced, this is a read with nothing to add: hand back the request's own task instead of awaiting it.
        return Telemetry.Source.HasListeners()
            ? MostRecentTracedAsync(cancellationToken)
            : _api.GetWatermarkAsync(Name, cancellationToken);
    }

    private async Task<DateTimeOffset?> MostRecentTracedAsync(CancellationToken cancellationToken)
    {
        using var activity = Telemetry.StartOperation("JobUtil.MostRecent", Name);
        try
        {
            return await _api.GetWatermarkAsync(Name, cancellationToken).ConfigureAwait(false);
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
    /// <exception cref="InvalidOperationException">The current run is still in progress: record its result first.</exception>
    /// <exception cref="JobAlreadyRunningException">The server's overlap guard refused a second run of this job.</exception>
    /// <exception cref="JobsApiException">The Jobs API answered with an error, or could not be reached in time.</exception>
    public virtual Task<JobRecord> StartAsync(CancellationToken cancellationToken = default)
    {
        JobRecord? current;
        bool abandoned;
        lock (_gate)
        {
            current = _current;
            abandoned = _currentAbandoned;
        }

        if (current is not null && current.Status == JobStatus.InProgress && !abandoned)
        {
            return Task.FromException<JobRecord>(new InvalidOperationException(
                $"Run {current.Id} of job '{Name}' is still in progress. Record its result with ResultAsync before starting another run."));
        }

        // Untraced, the request's own task is returned: the bookkeeping runs in it (OnStarted), in no frame of its own.
        return Telemetry.Source.HasListeners()
            ? StartTracedAsync(cancellationToken)
            : InsertAsync(new NewRun(Name, Now(), Source, Destination), cancellationToken);
    }

    // A token that cannot be cancelled leaves nothing to clean up: the request's own task is returned as it is.
    private Task<JobRecord> InsertAsync(NewRun run, CancellationToken cancellationToken)
        => cancellationToken.CanBeCanceled
            ? InsertCancellableAsync(run, cancellationToken)
            : _api.InsertRunAsync(run, cancellationToken, _onStarted);

    /// <summary>
    /// A start the caller cancels may already be committed on the server, with nobody left to end it: look it up and
    /// record it as an error (within <see cref="JobOptions.OutcomeTimeout"/>, best effort), then let the cancellation go on.
    /// </summary>
    private async Task<JobRecord> InsertCancellableAsync(NewRun run, CancellationToken cancellationToken)
    {
        try
        {
            return await _api.InsertRunAsync(run, cancellationToken, _onStarted).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            using var outcome = CreateTimeoutSource(_options.OutcomeTimeout);
            try
            {
                await _api.AbandonStartAsync(run, Now(), outcome.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is JobsApiException or OperationCanceledException)
            {
                Log.CancelledStartNotRecorded(_logger, e, Name);
            }

            throw;
        }
    }

    private async Task<JobRecord> StartTracedAsync(CancellationToken cancellationToken)
    {
        using var activity = Telemetry.StartOperation("JobUtil.Start", Name);
        try
        {
            var run = await InsertAsync(new NewRun(Name, Now(), Source, Destination), cancellationToken).ConfigureAwait(false);
            activity?.SetTag(Telemetry.RunIdTag, run.Id);
            activity?.SetTag(Telemetry.StatusTag, run.Status.Value);
            return run;
        }
        catch (Exception e)
        {
            Telemetry.Fail(activity, e);
            throw;
        }
    }

    /// <summary>
    /// Records the outcome of the current run: its end date, <paramref name="status"/>, and the record count and
    /// message when given (a value not given is left as it is on the server).
    /// </summary>
    /// <param name="status"><see cref="JobStatus.Success"/> or <see cref="JobStatus.Error"/>.</param>
    /// <param name="recordsProcessed">How many records the run processed; not sent when null.</param>
    /// <param name="message">A message, such as the error; not sent when null.</param>
    /// <param name="cancellationToken">Cancels the request and any retry wait.</param>
    /// <returns>The updated run, which becomes <see cref="Current"/>.</returns>
    /// <exception cref="ArgumentException"><paramref name="status"/> is not Success or Error, or <paramref name="recordsProcessed"/> is outside 0 to 2,147,483,647 (the column is an INTEGER).</exception>
    /// <exception cref="InvalidOperationException">No run has been started.</exception>
    /// <exception cref="JobRunNotFoundException">The run no longer exists on the server.</exception>
    /// <exception cref="JobsApiException">The Jobs API answered with an error, or could not be reached in time.</exception>
    public virtual Task<JobRecord> ResultAsync(JobStatus status, long? recordsProcessed = null, string? message = null, CancellationToken cancellationToken = default)
    {
        if (!status.IsFinal)
        {
            return Task.FromException<JobRecord>(new ArgumentException(
                $"A run's result must be JobStatus.Success or JobStatus.Error, not '{status}'.", nameof(status)));
        }

        if (recordsProcessed is < 0 or > MaxRecordsProcessed)
        {
            return Task.FromException<JobRecord>(new ArgumentOutOfRangeException(nameof(recordsProcessed), recordsProcessed, RecordsRangeMessage));
        }

        var current = Current;
        if (current is null)
        {
            return Task.FromException<JobRecord>(new InvalidOperationException(
                $"Job '{Name}' has no current run. Call StartAsync before ResultAsync."));
        }

        // Untraced, the request's own task is returned: the bookkeeping runs in it (OnEnded), in no frame of its own.
        return Telemetry.Source.HasListeners()
            ? ResultTracedAsync(current, status, recordsProcessed, message, cancellationToken)
            : _api.UpdateRunAsync(current.Id, EndOf(current, status, recordsProcessed, message), cancellationToken, _onEnded);
    }

    private async Task<JobRecord> ResultTracedAsync(JobRecord current, JobStatus status, long? recordsProcessed, string? message, CancellationToken cancellationToken)
    {
        using var activity = Telemetry.StartOperation("JobUtil.Result", Name);
        activity?.SetTag(Telemetry.RunIdTag, current.Id);
        activity?.SetTag(Telemetry.StatusTag, status.Value);
        try
        {
            return await _api.UpdateRunAsync(current.Id, EndOf(current, status, recordsProcessed, message), cancellationToken, _onEnded).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            Telemetry.Fail(activity, e);
            throw;
        }
    }

    private RunUpdate EndOf(JobRecord current, JobStatus status, long? recordsProcessed, string? message)
    {
        // The table requires end_date >= start_date; a clock that stepped back must not make the update fail.
        var end = Now();
        if (end < current.StartDate)
        {
            end = current.StartDate;
        }

        return new RunUpdate(end, status, recordsProcessed, message);
    }

    private void OnStarted(JobRecord run)
    {
        SetCurrent(run);
        Log.RunStarted(_logger, Name, run.Id, Source, Destination);
    }

    private void OnEnded(JobRecord run)
    {
        SetCurrent(run);
        Telemetry.RecordOutcome(run);
        Log.RunEnded(_logger, Name, run.Id, run.Status.Value, run.RecordsProcessed, (run.Duration ?? TimeSpan.Zero).TotalMilliseconds);
    }

    /// <summary>
    /// Runs one whole ETL run: reads the watermark, starts a run, calls <paramref name="body"/> with the watermark,
    /// and records <see cref="JobStatus.Success"/> with the count it returns. When <paramref name="body"/> throws, the
    /// run is recorded as <see cref="JobStatus.Error"/> with the exception's type and message, and the same exception
    /// is rethrown. When the caller cancels, the run is recorded as an error saying so, and the cancellation propagates.
    /// </summary>
    /// <param name="body">The ETL work: given the watermark (null on the first run), returns the number of records processed.</param>
    /// <param name="cancellationToken">Cancels the watermark read, the start and the body.</param>
    /// <returns>The count <paramref name="body"/> returned.</returns>
    /// <exception cref="JobsApiException">The watermark or the start failed (the body did not run), or recording success failed.</exception>
    public virtual async Task<long> RunAsync(Func<DateTimeOffset?, CancellationToken, Task<long>> body, CancellationToken cancellationToken = default)
    {
        if (body is null)
        {
            throw new ArgumentNullException(nameof(body));
        }

        var count = await RunCoreAsync(async (since, ct) => (long?)await body(since, ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        return count!.Value;
    }

    /// <summary>
    /// Runs one whole ETL run whose body reports no record count; otherwise as
    /// <see cref="RunAsync(Func{DateTimeOffset?, CancellationToken, Task{long}}, CancellationToken)"/>.
    /// </summary>
    /// <param name="body">The ETL work, given the watermark (null on the first run).</param>
    /// <param name="cancellationToken">Cancels the watermark read, the start and the body.</param>
    /// <returns>A task that completes when the outcome is recorded.</returns>
    public virtual Task RunAsync(Func<DateTimeOffset?, CancellationToken, Task> body, CancellationToken cancellationToken = default)
    {
        if (body is null)
        {
            throw new ArgumentNullException(nameof(body));
        }

        return RunWithoutCountAsync(body, cancellationToken);
    }

    /// <summary>Disposes the <see cref="HttpClient"/> this job created; a caller's client is left alone.</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Disposes the <see cref="HttpClient"/> this job created, when <paramref name="disposing"/>.</summary>
    /// <param name="disposing">Whether this is called from <see cref="Dispose()"/>.</param>
    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            _ownedClient?.Dispose();
        }
    }

    /// <summary>Describes the job (name, source, destination, current run); never the token.</summary>
    public override string ToString() => $"Job {Name} ({Source} -> {Destination}), current run: {Current?.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}";

    private Task RunWithoutCountAsync(Func<DateTimeOffset?, CancellationToken, Task> body, CancellationToken cancellationToken)
        => RunCoreAsync(
            async (since, ct) =>
            {
                await body(since, ct).ConfigureAwait(false);
                return null;
            },
            cancellationToken);

    private async Task<long?> RunCoreAsync(Func<DateTimeOffset?, CancellationToken, Task<long?>> body, CancellationToken cancellationToken)
    {
        var since = await MostRecentAsync(cancellationToken).ConfigureAwait(false);
        var run = await StartAsync(cancellationToken).ConfigureAwait(false);

        long? count;
        try
        {
            count = await body(since, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception failure)
        {
            var cancelled = failure is OperationCanceledException && cancellationToken.IsCancellationRequested;
            var message = cancelled ? "The run was cancelled." : Bound($"{failure.GetType().FullName}: {failure.Message}");
            await RecordFailureAsync(run, failure, message).ConfigureAwait(false);
            throw;
        }

        if (count is < 0 or > MaxRecordsProcessed)
        {
            var failure = new InvalidOperationException($"The body of job '{Name}' returned {count} records. {RecordsRangeMessage}");
            await RecordFailureAsync(run, failure, failure.Message).ConfigureAwait(false);
            throw failure;
        }

        // The work is done: record it whatever the caller does now. Not the caller's token, so a late cancellation
        // cannot lose a finished run; JobOptions.TotalTimeout still bounds it.
        try
        {
            await ResultAsync(JobStatus.Success, count, null, CancellationToken.None).ConfigureAwait(false);
        }
        catch
        {
            AbandonCurrent();
            throw;
        }

        return count;
    }

    /// <summary>Records the error of a failed run without ever replacing the original failure.</summary>
    private async Task RecordFailureAsync(JobRecord run, Exception failure, string message)
    {
        // Not the caller's token: it may be the reason we are here.
        using var outcome = CreateTimeoutSource(_options.OutcomeTimeout);
        try
        {
            await ResultAsync(JobStatus.Error, null, message, outcome.Token).ConfigureAwait(false);
        }
        catch (Exception caught)
        {
            var recordingFailure = caught is OperationCanceledException && outcome.IsCancellationRequested
                ? new JobsApiException(0, $"Recording the error of run {run.Id} timed out after {_options.OutcomeTimeout.TotalSeconds:0.###} s (JobOptions.OutcomeTimeout).", null, caught) { IsTransient = true }
                : caught;
            AbandonCurrent();
            Log.OutcomeNotRecorded(_logger, recordingFailure, Name, run.Id);
            try
            {
                failure.Data[RecordingFailureKey] = recordingFailure;
            }
            catch (Exception e) when (e is ArgumentException or NotSupportedException)
            {
                // Data can be read-only or refuse the value; the log above still has it.
            }
        }
    }

    private CancellationTokenSource CreateTimeoutSource(TimeSpan timeout)
    {
        if (timeout == Timeout.InfiniteTimeSpan)
        {
            return new CancellationTokenSource();
        }

#if NET
        return new CancellationTokenSource(timeout, _time);
#else
        return _time.CreateCancellationTokenSource(timeout);
#endif
    }

    /// <summary>
    /// The key under which <see cref="RunAsync(Func{DateTimeOffset?, CancellationToken, Task{long}}, CancellationToken)"/>
    /// stores, in the body's exception's <see cref="Exception.Data"/>, the exception that prevented recording the error.
    /// </summary>
    public const string RecordingFailureKey = "JobUtil.RecordingFailure";

    // The records_processed column is an INTEGER.
    private const long MaxRecordsProcessed = int.MaxValue;

    private const string RecordsRangeMessage = "The number of records processed must be from 0 to 2147483647 (the records_processed column is an INTEGER).";

    private static string Bound(string message)
        => message.Length <= MaxRecordedMessageLength ? message : message.Substring(0, MaxRecordedMessageLength - 1) + "…";

    private DateTimeOffset Now()
    {
        // PostgreSQL keeps microseconds: truncate so the value sent is the value stored, and a lookup by it matches.
        var now = _time.GetUtcNow();
        return new DateTimeOffset(now.UtcTicks - (now.UtcTicks % 10), TimeSpan.Zero);
    }

    private void SetCurrent(JobRecord run)
    {
        lock (_gate)
        {
            _current = run;
            _currentAbandoned = false;
        }
    }

    private void AbandonCurrent()
    {
        lock (_gate)
        {
            _currentAbandoned = true;
        }
    }

    private static HttpClient CreateOwnedClient()
    {
#if NET
        var handler = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) };
#else
        var handler = new HttpClientHandler();
#endif

        // Timeouts are the pipeline's (JobOptions.AttemptTimeout and TotalTimeout).
        return new HttpClient(handler, disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
    }
}
