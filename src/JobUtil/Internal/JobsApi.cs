using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Timeout;

namespace JobUtil.Internal;

/// <summary>
/// One method per PostgREST request against the jobs table: builds the URL and headers, sends it through the
/// resilience pipeline, and parses the body or the error. Knows nothing about a "current run".
/// </summary>
internal sealed class JobsApi
{
    private static readonly MediaTypeWithQualityHeaderValue AcceptJson = new("application/json");

    // HttpMethod.Patch does not exist on netstandard2.0.
    private static readonly HttpMethod Patch = new("PATCH");

    private readonly HttpClient _http;
    private readonly string _table;
    private readonly AuthenticationHeaderValue? _authorization;
    private readonly ResiliencePipeline<DateTimeOffset?> _watermarkPipeline;
    private readonly ResiliencePipeline<JobRecord> _runPipeline;
    private readonly ResiliencePipeline<IReadOnlyList<JobRecord>> _listPipeline;
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
        var url = own ? _ownWatermarkUrl : WatermarkUrl(name);
        var operation = own ? _ownWatermarkOperation : WatermarkOperation(name);

        return ExecuteAsync(
            _watermarkPipeline,
            operation,
            (url, operation, api: this),
            static async (s, _, ct) =>
            {
                using var response = await s.api.SendAsync(HttpMethod.Get, s.url, null, s.operation, ct).ConfigureAwait(false);
                var rows = await ReadArrayAsync(response, JobsJsonContext.Default.WatermarkRowArray, s.operation, ct).ConfigureAwait(false);
                return rows.Length == 0 ? null : rows[0].StartDate;
            },
            cancellationToken);
    }

    /// <summary>
    /// Inserts a run. When an attempt's outcome is unknown (no response, timeout, 502/503/504) the row may have been
    /// committed, so every later attempt first looks the run up by the values this client chose and adopts it.
    /// </summary>
    public Task<JobRecord> InsertRunAsync(NewRun run, CancellationToken cancellationToken)
    {
        var operation = string.Equals(run.Name, _ownName, StringComparison.Ordinal) ? _ownStartOperation : StartOperation(run.Name);
        return ExecuteAsync(
            _runPipeline,
            operation,
            (run, operation, api: this),
            static async (s, attempt, ct) =>
            {
                if (attempt.PossiblyCommitted)
                {
                    var existing = await s.api.FindStartedRunAsync(s.run, s.operation, ct).ConfigureAwait(false);
                    if (existing is not null)
                    {
                        Log.RunAdopted(s.api._logger, s.run.Name, existing.Id);
                        return existing;
                    }
                }

                HttpResponseMessage response;
                try
                {
                    response = await s.api.SendAsync(HttpMethod.Post, s.api._table, JsonContent.Create(s.run, JobsJsonContext.Default.NewRun), s.operation, ct).ConfigureAwait(false);
                }
                catch (JobsApiException e)
                {
                    attempt.PossiblyCommitted |= ResponseErrors.OutcomeUnknown(e.Status);
                    if (e.Status == 409 && e.ErrorCode == "23505")
                    {
                        throw new JobAlreadyRunningException(s.run.Name, $"{s.operation} failed: another run of this job is still in progress (409, overlap guard [code 23505]). {e.ServerMessage}".TrimEnd())
                        {
                            ServerMessage = e.ServerMessage,
                            Details = e.Details,
                            Hint = e.Hint,
                        };
                    }

                    throw;
                }
                catch
                {
                    // No response (refused, reset, timed out): the request may have reached the server and been committed.
                    attempt.PossiblyCommitted = true;
                    throw;
                }

                using (response)
                {
                    var rows = await ReadArrayAsync(response, JobsJsonContext.Default.JobRecordArray, s.operation, ct).ConfigureAwait(false);
                    return rows.Length == 1
                        ? rows[0]
                        : throw await ResponseErrors.UnexpectedBodyAsync(response, s.operation, "an array holding the one inserted row (is Prefer: return=representation honoured?)", null, ct).ConfigureAwait(false);
                }
            },
            cancellationToken);
    }

    /// <summary>Updates run <paramref name="id"/>; a PATCH that matched nothing is <see cref="JobRunNotFoundException"/>.</summary>
    public Task<JobRecord> UpdateRunAsync(long id, RunUpdate update, CancellationToken cancellationToken)
    {
        var url = string.Concat(_table, "?id=eq.", id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var operation = $"Recording the outcome of run {id}";
        return ExecuteAsync(
            _runPipeline,
            operation,
            (url, update, id, operation, api: this),
            static async (s, _, ct) =>
            {
                HttpResponseMessage response;
                try
                {
                    response = await s.api.SendAsync(Patch, s.url, JsonContent.Create(s.update, JobsJsonContext.Default.RunUpdate), s.operation, ct).ConfigureAwait(false);
                }
                catch (JobsApiException e) when (e.Status == 404 && e.ErrorCode is not ("PGRST205" or "42P01" or "PGRST125"))
                {
                    // PostgREST v6 to v10.0 answer a PATCH that matched no row with 404.
                    throw NotFound(s.id, 404, s.operation);
                }

                using (response)
                {
                    var rows = await ReadArrayAsync(response, JobsJsonContext.Default.JobRecordArray, s.operation, ct).ConfigureAwait(false);
                    return rows.Length switch
                    {
                        1 => rows[0],
                        0 => throw NotFound(s.id, (int)response.StatusCode, s.operation),
                        _ => throw await ResponseErrors.UnexpectedBodyAsync(response, s.operation, "an array holding the one updated row", null, ct).ConfigureAwait(false),
                    };
                }
            },
            cancellationToken);
    }

    /// <summary>The newest runs of a job, newest first.</summary>
    public async Task<IReadOnlyList<JobRecord>> ListRunsAsync(string name, int limit, CancellationToken cancellationToken)
    {
        var url = new StringBuilder(_table)
            .Append("?name=eq.").Append(Encode(name))
            .Append("&order=start_date.desc,id.desc&limit=").Append(limit.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .ToString();
        var operation = $"Listing the runs of job '{name}'";
        return await ExecuteAsync(
            _listPipeline,
            operation,
            (url, operation, api: this),
            static async (s, _, ct) =>
            {
                using var response = await s.api.SendAsync(HttpMethod.Get, s.url, null, s.operation, ct).ConfigureAwait(false);
                return (IReadOnlyList<JobRecord>)await ReadArrayAsync(response, JobsJsonContext.Default.JobRecordArray, s.operation, ct).ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false);
    }

    private string WatermarkUrl(string name) => new StringBuilder(_table)
        .Append("?select=start_date&name=eq.").Append(Encode(name))
        .Append("&status=eq.success&order=start_date.desc&limit=1")
        .ToString();

    private static string WatermarkOperation(string name) => $"Reading the watermark of job '{name}'";

    private static string StartOperation(string name) => $"Starting a run of job '{name}'";

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
        using var response = await SendAsync(HttpMethod.Get, url, null, operation, cancellationToken).ConfigureAwait(false);
        var rows = await ReadArrayAsync(response, JobsJsonContext.Default.JobRecordArray, operation, cancellationToken).ConfigureAwait(false);
        return rows.Length == 0 ? null : rows[0];
    }

    /// <summary>One request, one response: a non-2xx becomes a <see cref="JobsApiException"/> (transient or not).</summary>
    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string url, HttpContent? content, string operation, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, url) { Content = content };
        request.Headers.Accept.Add(AcceptJson);
        if (content is not null)
        {
            request.Headers.TryAddWithoutValidation("Prefer", "return=representation");
        }

        if (_authorization is not null)
        {
            request.Headers.Authorization = _authorization;
        }

        var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            throw await ResponseErrors.FromResponseAsync(response, operation, _authorization is not null, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    // A ValueTask: the body is already buffered, so this nearly always completes at once and then allocates nothing.
    private static async ValueTask<T[]> ReadArrayAsync<T>(HttpResponseMessage response, JsonTypeInfo<T[]> type, string operation, CancellationToken cancellationToken)
        where T : class
    {
        T[]? rows;
        try
        {
            rows = await response.Content.ReadFromJsonAsync(type, cancellationToken).ConfigureAwait(false);
        }
        catch (JsonException e)
        {
            throw await ResponseErrors.UnexpectedBodyAsync(response, operation, "a JSON array of job rows", e, cancellationToken).ConfigureAwait(false);
        }

        if (rows is null || Array.Exists(rows, row => !IsComplete(row)))
        {
            throw await ResponseErrors.UnexpectedBodyAsync(response, operation, "a JSON array of complete job rows", null, cancellationToken).ConfigureAwait(false);
        }

        return rows;
    }

    private static bool IsComplete<T>(T? row) => row switch
    {
        null => false,
        JobRecord r => r.StartDate != default && r.Name is not null && r.Source is not null && r.Destination is not null && r.Status.Value.Length > 0,
        WatermarkRow w => w.StartDate is not null,
        _ => true,
    };

    /// <summary>Runs one operation through the pipeline and turns what is left of a failure into the library's exception.</summary>
    private async Task<TResult> ExecuteAsync<TState, TResult>(
        ResiliencePipeline<TResult> pipeline,
        string operation,
        TState state,
        Func<TState, AttemptState, CancellationToken, Task<TResult>> attempt,
        CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(operation, cancellationToken);
        var attempts = new AttemptState();
        try
        {
            // Outcomes rather than ExecuteAsync: Polly then wraps the callback in no extra async frames of its own.
            var outcome = await pipeline.ExecuteOutcomeAsync(
                static async (context, s) =>
                {
                    s.attempts.Count++;
                    try
                    {
                        return Outcome.FromResult(await s.attempt(s.state, s.attempts, context.CancellationToken).ConfigureAwait(false));
                    }
                    catch (Exception e)
                    {
                        if (e is JobsApiException api)
                        {
                            s.attempts.LastFailure = api;
                        }

                        return Outcome.FromException<TResult>(e);
                    }
                },
                context,
                (state, attempts, attempt)).ConfigureAwait(false);

            // Rethrown with its original stack trace, as ExecuteAsync would.
            outcome.ThrowIfException();
            return outcome.Result!;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (JobsApiException e)
        {
            e.Attempts = attempts.Count;
            throw;
        }
        catch (TimeoutRejectedException e)
        {
            var which = context.Properties.GetValue(JobsApiResilience.TotalTimeoutElapsed, false)
                ? $"timed out after {Seconds(e.Timeout)} (the total timeout of one operation, JobOptions.TotalTimeout)"
                : $"timed out after {Seconds(e.Timeout)} without a response (JobOptions.AttemptTimeout)";
            throw new JobsApiException(0, $"{operation} {which}{LastFailure(attempts)}.", null, e)
            {
                IsTransient = true,
                Attempts = attempts.Count,
            };
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            throw new JobsApiException(0, $"{operation} failed: could not reach the Jobs API at {new Uri(_table).Authority} ({e.Message}){LastFailure(attempts)}.", null, e)
            {
                IsTransient = true,
                Attempts = attempts.Count,
            };
        }
        catch (OperationCanceledException e)
        {
            throw new JobsApiException(0, $"{operation} timed out: no response within the HttpClient's Timeout of {Seconds(_http.Timeout)}{LastFailure(attempts)}.", null, e)
            {
                IsTransient = true,
                Attempts = attempts.Count,
            };
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private static string Seconds(TimeSpan value) => $"{value.TotalSeconds:0.###} s";

    private static string LastFailure(AttemptState attempts)
        => attempts.LastFailure is { Status: > 0 } last ? $" (an earlier attempt got HTTP {last.Status})" : string.Empty;

    /// <summary>What one operation learned across its attempts.</summary>
    internal sealed class AttemptState
    {
        public int Count;

        /// <summary>An earlier POST may have been committed although its response was lost.</summary>
        public bool PossiblyCommitted;

        public JobsApiException? LastFailure;
    }

    /// <summary>Run <paramref name="id"/> as stored; a run that does not exist is <see cref="JobRunNotFoundException"/>.</summary>
    public Task<JobRecord> GetRunAsync(long id, CancellationToken cancellationToken)
    {
        var url = string.Concat(_table, "?id=eq.", id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var operation = $"Reading run {id}";
        return ExecuteAsync(
            _runPipeline,
            operation,
            (url, id, operation, api: this),
            static async (s, _, ct) =>
            {
                using var response = await s.api.SendAsync(HttpMethod.Get, s.url, null, s.operation, ct).ConfigureAwait(false);
                var rows = await ReadArrayAsync(response, JobsJsonContext.Default.JobRecordArray, s.operation, ct).ConfigureAwait(false);
                return rows.Length switch
                {
                    1 => rows[0],
                    0 => throw new JobRunNotFoundException(s.id, (int)response.StatusCode, $"{s.operation} failed: run {s.id} was not found. It may have been deleted, or the id is wrong."),
                    _ => throw await ResponseErrors.UnexpectedBodyAsync(response, s.operation, "an array holding at most the one run with that id", null, ct).ConfigureAwait(false),
                };
            },
            cancellationToken);
    }
}
