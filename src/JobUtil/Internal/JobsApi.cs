using System.Net.Http.Headers;
using System.Net.Http.Json;
#if NET
using System.Runtime.CompilerServices;
#endif
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Timeout;

namespace JobUtil.Internal;

/// <summary>
/// One method per PostgREST request against the jobs table: builds the URL and headers, sends it under the total
/// timeout, the retry pipeline and the attempt timeout, and parses the body or the error. Knows nothing about a
/// "current run".
/// </summary>
/// <remarks>
/// Each operation is one <see cref="Call{T}"/>. Its first attempt runs before the retry pipeline is entered, and the
/// pipeline is entered only when that attempt failed, with the failure handed to it as its first outcome: the retry
/// then decides, waits and logs exactly as if it had run that attempt itself, and a request that succeeds at once
/// pays for no pipeline at all.
/// </remarks>
internal sealed partial class JobsApi
{
    private static readonly MediaTypeWithQualityHeaderValue AcceptJson = new("application/json");

    // HttpMethod.Patch does not exist on netstandard2.0.
    private static readonly HttpMethod Patch = new("PATCH");

    private readonly HttpClient _http;
    private readonly string _table;
    private readonly AuthenticationHeaderValue? _authorization;
    private readonly ResiliencePipeline<DateTimeOffset?>? _watermarkPipeline;
    private readonly ResiliencePipeline<JobRecord>? _runPipeline;
    private readonly ResiliencePipeline<IReadOnlyList<JobRecord>>? _listPipeline;
    private readonly TimeSpan _totalTimeout;
    private readonly TimeSpan _attemptTimeout;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    // A Job always asks about its own name: its watermark URL and operation texts are built once, not per request.
    private readonly string _ownName;
    private readonly string _ownWatermarkUrl;
    private readonly string _ownWatermarkOperation;
    private readonly string _ownStartOperation;

    /// <param name="http">The client to send with; never disposed here.</param>
    /// <param name="options">Validated options (Url, Token and the resilience settings are used).</param>
    /// <param name="time">The clock for Retry-After dates and the pipeline's delays.</param>
    /// <param name="logger">Where retries are logged.</param>
    /// <param name="logName">The job name shown in retry logs.</param>
    public JobsApi(HttpClient http, JobOptions options, TimeProvider time, ILogger logger, string logName)
    {
        _http = http;
        _table = options.Url!.TrimEnd('/');
        _authorization = string.IsNullOrEmpty(options.Token) ? null : new AuthenticationHeaderValue("Bearer", options.Token);
        _time = time;
        _logger = logger;
        _totalTimeout = options.TotalTimeout;
        _attemptTimeout = options.AttemptTimeout;
        _watermarkPipeline = JobsApiResilience.Build<DateTimeOffset?>(options, time, logger, logName);
        _runPipeline = JobsApiResilience.Build<JobRecord>(options, time, logger, logName);
        _listPipeline = JobsApiResilience.Build<IReadOnlyList<JobRecord>>(options, time, logger, logName);
        _ownName = logName;
        _ownWatermarkUrl = WatermarkUrl(logName);
        _ownWatermarkOperation = WatermarkOperation(logName);
        _ownStartOperation = StartOperation(logName);
    }

    /// <summary>The greatest <c>start_date</c> among this job's successful runs; <see langword="null"/> when there is none.</summary>
    public Task<DateTimeOffset?> GetWatermarkAsync(string name, CancellationToken cancellationToken)
    {
        var own = string.Equals(name, _ownName, StringComparison.Ordinal);
        var call = new WatermarkCall(this, own ? _ownWatermarkUrl : WatermarkUrl(name), own ? _ownWatermarkOperation : WatermarkOperation(name));
        return ExecuteAsync(_watermarkPipeline, call, cancellationToken);
    }

    /// <summary>
    /// Inserts a run. When an attempt's outcome is unknown (no response, timeout, 502/503/504) the row may have been
    /// committed, so every later attempt first looks the run up by the values this client chose and adopts it.
    /// </summary>
    /// <param name="run">The row to insert.</param>
    /// <param name="cancellationToken">Cancels the request and any retry wait.</param>
    /// <param name="onInserted">Called with the run before the returned task completes, so a caller needs no async frame of its own.</param>
    public Task<JobRecord> InsertRunAsync(NewRun run, CancellationToken cancellationToken, Action<JobRecord>? onInserted = null)
    {
        var operation = string.Equals(run.Name, _ownName, StringComparison.Ordinal) ? _ownStartOperation : StartOperation(run.Name);
        return ExecuteAsync(_runPipeline, new InsertCall(this, run, operation) { OnSuccess = onInserted }, cancellationToken);
    }

    /// <summary>Updates run <paramref name="id"/>; a PATCH that matched nothing is <see cref="JobRunNotFoundException"/>.</summary>
    /// <param name="id">The run's id.</param>
    /// <param name="update">The columns to set.</param>
    /// <param name="cancellationToken">Cancels the request and any retry wait.</param>
    /// <param name="onUpdated">Called with the run before the returned task completes, so a caller needs no async frame of its own.</param>
    public Task<JobRecord> UpdateRunAsync(long id, RunUpdate update, CancellationToken cancellationToken, Action<JobRecord>? onUpdated = null)
        => ExecuteAsync(_runPipeline, new UpdateCall(this, id, update) { OnSuccess = onUpdated }, cancellationToken);

    /// <summary>The newest runs of a job, newest first.</summary>
    public Task<IReadOnlyList<JobRecord>> ListRunsAsync(string name, int limit, CancellationToken cancellationToken)
    {
        var url = new StringBuilder(_table)
            .Append("?name=eq.").Append(Encode(name))
            .Append("&order=start_date.desc,id.desc&limit=").Append(limit.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .ToString();
        return ExecuteAsync(_listPipeline, new ListCall(this, url, $"Listing the runs of job '{name}'"), cancellationToken);
    }

    private string WatermarkUrl(string name) => new StringBuilder(_table)
        .Append("?select=start_date&name=eq.").Append(Encode(name))
        .Append("&status=eq.success&order=start_date.desc&limit=1")
        .ToString();

    private static string WatermarkOperation(string name) => $"Reading the watermark of job '{name}'";

    private static string StartOperation(string name) => $"Starting a run of job '{name}'";

    /// <summary>
    /// After the caller cancelled a start whose POST may have reached the server: finds the run this client chose and,
    /// when it was committed, records it as an error, so no row is left in progress with nobody to end it.
    /// </summary>
    /// <returns>The run as recorded, or <see langword="null"/> when the POST had not been committed.</returns>
    public async Task<JobRecord?> AbandonStartAsync(NewRun run, DateTimeOffset end, CancellationToken cancellationToken)
    {
        var operation = $"Recording the cancelled start of job '{run.Name}'";
        var started = await FindStartedRunAsync(run, operation, cancellationToken).ConfigureAwait(false);
        return started is null
            ? null
            : await UpdateRunAsync(started.Id, new RunUpdate(end < started.StartDate ? started.StartDate : end, JobStatus.Error, null, "The start was cancelled before its response arrived."), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The URL of one run: the table filtered on its id.</summary>
    private string RunUrl(long id) => string.Concat(_table, "?id=eq.", id.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>Percent-encodes a filter value (RFC 3986 unreserved characters stay as they are).</summary>
    internal static string Encode(string value) => Uri.EscapeDataString(value);

    private static JobRunNotFoundException NotFound(long id, int status, string operation)
        => new(id, status, $"{operation} failed: run {id} was not found (the PATCH matched no row). It may have been deleted, or the id is wrong.");

    private async Task<JobRecord?> FindStartedRunAsync(NewRun run, string operation, CancellationToken cancellationToken)
    {
        var url = new StringBuilder(_table)
            .Append("?name=eq.").Append(Encode(run.Name))
            .Append("&source=eq.").Append(Encode(run.Source))
            .Append("&destination=eq.").Append(Encode(run.Destination))
            .Append("&status=eq.in_progress")
            .Append("&start_date=eq.").Append(Encode(TimestampJsonConverter.Format(run.StartDate)))
            .Append("&order=id.asc&limit=1")
            .ToString();
        using var request = CreateRequest(HttpMethod.Get, url, null);
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        Telemetry.ResponseReceived(response);
        if (!response.IsSuccessStatusCode)
        {
            throw await ErrorAsync(response, operation, cancellationToken).ConfigureAwait(false);
        }

        var rows = await ReadArrayAsync(response, JobsJsonContext.Default.JobRecordArray, operation, cancellationToken).ConfigureAwait(false);
        return rows.Length == 0 ? null : rows[0];
    }

    /// <summary>
    /// A unique violation on the job's name (the overlap guard of db/schema.sql, whatever its index is called), not
    /// any 23505: a primary key clash after a restore, say, is a different problem and keeps its own message.
    /// </summary>
    private static bool IsOverlapGuard(JobsApiException e)
        => e.Status == 409 && e.ErrorCode == "23505"
            && ((e.Details?.Contains("Key (name)=") ?? false)
                || (e.ServerMessage?.Contains("jobs_one_in_progress_per_name") ?? false));

    /// <summary>The request every call sends: JSON accepted, the representation asked for when there is a body, the token.</summary>
    private HttpRequestMessage CreateRequest(HttpMethod method, string url, HttpContent? content)
    {
        var request = new HttpRequestMessage(method, url) { Content = content };
        request.Headers.Accept.Add(AcceptJson);
        if (content is not null)
        {
            request.Headers.TryAddWithoutValidation("Prefer", "return=representation");
        }

        if (_authorization is not null)
        {
            request.Headers.Authorization = _authorization;
        }

        return request;
    }

    /// <summary>A non-2xx response as a <see cref="JobsApiException"/> (transient or not).</summary>
    private Task<JobsApiException> ErrorAsync(HttpResponseMessage response, string operation, CancellationToken cancellationToken)
        => ResponseErrors.FromResponseAsync(response, operation, _authorization is not null, _time, cancellationToken);

    // A ValueTask: the body is already buffered, so this nearly always completes at once and then allocates nothing.
#if NET
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
#endif
    private static async ValueTask<T[]> ReadArrayAsync<T>(HttpResponseMessage response, JsonTypeInfo<T[]> type, string operation, CancellationToken cancellationToken)
        where T : class
    {
        T[]? rows;
        try
        {
            rows = await response.Content.ReadFromJsonAsync(type, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or NotSupportedException)
        {
            // InvalidOperationException: a charset .NET does not know (a proxy's windows-1252 page, say).
            throw await ResponseErrors.UnexpectedBodyAsync(response, operation, "a JSON array of job rows", e, cancellationToken).ConfigureAwait(false);
        }

        if (rows is null || !AllComplete(rows))
        {
            throw await ResponseErrors.UnexpectedBodyAsync(response, operation, "a JSON array of complete job rows", null, cancellationToken).ConfigureAwait(false);
        }

        return rows;
    }

    private static bool AllComplete<T>(T[] rows)
    {
        foreach (var row in rows)
        {
            if (!IsComplete(row))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsComplete<T>(T? row) => row switch
    {
        null => false,
        JobRecord r => r.StartDate != default && r.Name is not null && r.Source is not null && r.Destination is not null && r.Status.Value.Length > 0,
        WatermarkRow w => w.StartDate is not null,
        _ => true,
    };

    /// <summary>
    /// Runs one operation: its first attempt, then the retry pipeline if that failed, all under the total timeout;
    /// turns what is left of a failure into the library's exception.
    /// </summary>
    private async Task<T> ExecuteAsync<T>(ResiliencePipeline<T>? retry, Call<T> call, CancellationToken cancellationToken)
    {
        // As the pipeline's entry does: a caller who has already cancelled gets that, and nothing is sent.
        cancellationToken.ThrowIfCancellationRequested();

        Outcome<T> outcome;
        bool totalTimedOut;
        var total = TimeoutScope.Start(_time, _totalTimeout, cancellationToken);
        try
        {
            outcome = await call.AttemptAsync(total.Token).ConfigureAwait(false);

            // What the retry would do with a first outcome that succeeded, or that came after cancellation: return it.
            if (retry is not null && outcome.Exception is not null && !total.Token.IsCancellationRequested)
            {
                outcome = await RetryAsync(retry, call, outcome, total.Token).ConfigureAwait(false);
            }

            totalTimedOut = total.TimedOut;
        }
        finally
        {
            total.Dispose();
        }

        if (outcome.Exception is null)
        {
            var result = outcome.Result!;
            call.OnSuccess?.Invoke(result);
            return result;
        }

        throw Failure(call, outcome, totalTimedOut && outcome.Exception is OperationCanceledException, cancellationToken);
    }

    private static async ValueTask<Outcome<T>> RetryAsync<T>(ResiliencePipeline<T> retry, Call<T> call, Outcome<T> first, CancellationToken token)
    {
        call.Replay(first);
        var context = ResilienceContextPool.Shared.Get(call.Operation, token);
        try
        {
            return await retry.ExecuteOutcomeAsync(static (context, call) => call.NextAsync(context), context, call).ConfigureAwait(false);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <summary>The exception an operation ends with; the outcome's own is rethrown with its original stack trace.</summary>
    private Exception Failure<T>(Call<T> call, Outcome<T> outcome, bool totalTimedOut, CancellationToken cancellationToken)
    {
        var attempts = call.Attempts;
        switch (outcome.Exception)
        {
            case OperationCanceledException when cancellationToken.IsCancellationRequested:
                break;
            case JobsApiException api:
                api.Attempts = attempts;
                break;
            case OperationCanceledException e when totalTimedOut:
            {
                var timeout = new TimeoutRejectedException(TimeoutMessage(_totalTimeout), _totalTimeout, e);
                return new JobsApiException(0, $"{call.Operation} timed out after {Seconds(_totalTimeout)} (the total timeout of one operation, JobOptions.TotalTimeout){LastFailure(call)}.", null, timeout)
                {
                    IsTransient = true,
                    Attempts = attempts,
                };
            }

            case TimeoutRejectedException e:
                return new JobsApiException(0, $"{call.Operation} timed out after {Seconds(e.Timeout)} without a response (JobOptions.AttemptTimeout){LastFailure(call)}.", null, e)
                {
                    IsTransient = true,
                    Attempts = attempts,
                };
            case Exception e when e is HttpRequestException or IOException:
                return new JobsApiException(0, $"{call.Operation} failed: could not reach the Jobs API at {new Uri(_table).Authority} ({e.Message}){LastFailure(call)}.", null, e)
                {
                    IsTransient = true,
                    Attempts = attempts,
                };
            case OperationCanceledException e:
                return new JobsApiException(0, $"{call.Operation} timed out: no response within the HttpClient's Timeout of {Seconds(_http.Timeout)}{LastFailure(call)}.", null, e)
                {
                    IsTransient = true,
                    Attempts = attempts,
                };
        }

        outcome.ThrowIfException();
        throw new InvalidOperationException("Unreachable: the outcome holds an exception.");
    }

    // Polly's own wording, as its timeout strategy produced these before.
    private static string TimeoutMessage(TimeSpan timeout) => $"The operation didn't complete within the allowed timeout of '{timeout}'.";

    private static string Seconds(TimeSpan value) => $"{value.TotalSeconds:0.###} s";

    private static string LastFailure<T>(Call<T> call)
        => call.LastFailure is { Status: > 0 } last ? $" (an earlier attempt got HTTP {last.Status})" : string.Empty;
}
