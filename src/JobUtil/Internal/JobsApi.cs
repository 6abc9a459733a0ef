using System.Globalization;
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
internal sealed partial class JobsApi
{
    private static readonly MediaTypeWithQualityHeaderValue AcceptJson = new("application/json");

    // HttpMethod.Patch does not exist on netstandard2.0.
    private static readonly HttpMethod Patch = new("PATCH");

    private readonly HttpClient _http;
    private readonly string _table;
    private readonly AuthenticationHeaderValue? _authorization;
    private readonly ResiliencePipeline _pipeline;
    private readonly TimeSpan _totalTimeout;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    /// <param name="http">The client to send with; never disposed here.</param>
    /// <param name="options">Validated options (Url, Token and the resilience settings are used).</param>
    /// <param name="time">The clock for Retry-After dates and the pipeline's timeouts and delays.</param>
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
        _pipeline = JobsApiResilience.Build(options, time, logger, logName);
    }

    /// <summary>The greatest <c>start_date</c> among this job's successful runs; <see langword="null"/> when there is none.</summary>
    public Task<DateTimeOffset?> GetWatermarkAsync(string name, CancellationToken cancellationToken)
    {
        var url = new StringBuilder(_table)
            .Append("?select=start_date&name=eq.").Append(Encode(name))
            .Append("&status=eq.success&order=start_date.desc&limit=1")
            .ToString();
        var operation = $"Reading the watermark of job '{name}'";
        return ExecuteAsync(
            operation,
            async ct =>
            {
                var rows = await GetAsync(url, JobsJsonContext.Default.WatermarkRowArray, operation, ct).ConfigureAwait(false);
                return rows.Length == 0 ? null : rows[0].StartDate;
            },
            cancellationToken);
    }

    /// <summary>Run <paramref name="id"/> as stored; a run that does not exist is <see cref="JobRunNotFoundException"/>.</summary>
    public Task<JobRecord> GetRunAsync(long id, CancellationToken cancellationToken)
    {
        var operation = $"Reading run {id.ToString(CultureInfo.InvariantCulture)}";
        return ExecuteAsync(
            operation,
            async ct =>
            {
                var rows = await SendAsync(HttpMethod.Get, RunUrl(id), null, JobsJsonContext.Default.JobRecordArray, operation, ct, OneRow("an array holding at most the one run with that id", noneAllowed: true)).ConfigureAwait(false);
                return rows.Length == 1
                    ? rows[0]
                    : throw new JobRunNotFoundException(id, 200, $"{operation} failed: run {id} was not found. It may have been deleted, or the id is wrong.");
            },
            cancellationToken);
    }

    /// <summary>The newest runs of a job, newest first.</summary>
    public Task<IReadOnlyList<JobRecord>> ListRunsAsync(string name, int limit, CancellationToken cancellationToken)
    {
        var url = new StringBuilder(_table)
            .Append("?name=eq.").Append(Encode(name))
            .Append("&order=start_date.desc,id.desc&limit=").Append(limit.ToString(CultureInfo.InvariantCulture))
            .ToString();
        var operation = $"Listing the runs of job '{name}'";
        return ExecuteAsync<IReadOnlyList<JobRecord>>(
            operation,
            async ct => await GetAsync(url, JobsJsonContext.Default.JobRecordArray, operation, ct).ConfigureAwait(false),
            cancellationToken);
    }

    /// <summary>
    /// Inserts a run. When an attempt's outcome is unknown (no response, timeout, 502/503/504) the row may have been
    /// committed, so every later attempt first looks the run up by the values this client chose and adopts it.
    /// </summary>
    public Task<JobRecord> InsertRunAsync(NewRun run, CancellationToken cancellationToken)
    {
        var operation = $"Starting a run of job '{run.Name}'";

        // An earlier POST may have been committed although its response was lost.
        var possiblyCommitted = false;
        return ExecuteAsync(
            operation,
            async ct =>
            {
                if (possiblyCommitted)
                {
                    var existing = await FindStartedRunAsync(run, operation, ct).ConfigureAwait(false);
                    if (existing is not null)
                    {
                        Log.RunAdopted(_logger, run.Name, existing.Id);
                        return existing;
                    }
                }

                try
                {
                    var rows = await SendAsync(HttpMethod.Post, _table, JsonContent.Create(run, JobsJsonContext.Default.NewRun), JobsJsonContext.Default.JobRecordArray, operation, ct, OneRow("an array holding the one inserted row (is Prefer: return=representation honoured?)", noneAllowed: false)).ConfigureAwait(false);
                    return rows[0];
                }
                catch (JobsApiException e) when (e.Status > 0)
                {
                    possiblyCommitted |= ResponseErrors.OutcomeUnknown(e.Status);
                    if (IsOverlapGuard(e))
                    {
                        throw new JobAlreadyRunningException(run.Name, $"{operation} failed: another run of this job is still in progress (409, overlap guard [code 23505]). {e.ServerMessage}".TrimEnd())
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
                    possiblyCommitted = true;
                    throw;
                }
            },
            cancellationToken);
    }

    /// <summary>Updates run <paramref name="id"/>; a PATCH that matched nothing is <see cref="JobRunNotFoundException"/>.</summary>
    public Task<JobRecord> UpdateRunAsync(long id, RunUpdate update, CancellationToken cancellationToken)
    {
        var operation = $"Recording the outcome of run {id.ToString(CultureInfo.InvariantCulture)}";
        return ExecuteAsync(
            operation,
            async ct =>
            {
                JobRecord[] rows;
                try
                {
                    rows = await SendAsync(Patch, RunUrl(id), JsonContent.Create(update, JobsJsonContext.Default.RunUpdate), JobsJsonContext.Default.JobRecordArray, operation, ct, OneRow("an array holding the one updated row", noneAllowed: true)).ConfigureAwait(false);
                }
                catch (JobsApiException e) when (e.Status == 404 && e.ErrorCode is not ("PGRST205" or "42P01" or "PGRST125"))
                {
                    // PostgREST v6 to v10.0 answer a PATCH that matched no row with 404.
                    throw NotFound(id, 404, operation);
                }

                return rows.Length == 1 ? rows[0] : throw NotFound(id, 200, operation);
            },
            cancellationToken);
    }

    /// <summary>
    /// After the caller cancelled a start whose POST may have reached the server: finds the run this client chose and,
    /// when it was committed, records it as an error, so no row is left in progress with nobody to end it.
    /// </summary>
    /// <returns>The run as recorded, or <see langword="null"/> when the POST had not been committed.</returns>
    public async Task<JobRecord?> AbandonStartAsync(NewRun run, DateTimeOffset end, CancellationToken cancellationToken)
    {
        var operation = $"Recording the cancelled start of job '{run.Name}'";
        var started = await ExecuteAsync(operation, ct => FindStartedRunAsync(run, operation, ct), cancellationToken).ConfigureAwait(false);
        return started is null
            ? null
            : await UpdateRunAsync(started.Id, new RunUpdate(RunRules.EndDate(started.StartDate, end), JobStatus.Error, null, "The start was cancelled before its response arrived."), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Percent-encodes a filter value (RFC 3986 unreserved characters stay as they are).</summary>
    internal static string Encode(string value) => Uri.EscapeDataString(value);

    /// <summary>The URL of one run: the table filtered on its id.</summary>
    private string RunUrl(long id) => string.Concat(_table, "?id=eq.", id.ToString(CultureInfo.InvariantCulture));

    private static JobRunNotFoundException NotFound(long id, int status, string operation)
        => new(id, status, $"{operation} failed: run {id} was not found (the PATCH matched no row). It may have been deleted, or the id is wrong.");

    private static (string Expected, bool NoneAllowed)? OneRow(string expected, bool noneAllowed) => (expected, noneAllowed);

    private Task<JobRecord?> FindStartedRunAsync(NewRun run, string operation, CancellationToken cancellationToken)
    {
        var url = new StringBuilder(_table)
            .Append("?name=eq.").Append(Encode(run.Name))
            .Append("&source=eq.").Append(Encode(run.Source))
            .Append("&destination=eq.").Append(Encode(run.Destination))
            .Append("&status=eq.in_progress")
            .Append("&start_date=eq.").Append(Encode(TimestampJsonConverter.Format(run.StartDate)))
            .Append("&order=id.asc&limit=1")
            .ToString();
        return FirstOrNullAsync(GetAsync(url, JobsJsonContext.Default.JobRecordArray, operation, cancellationToken));
    }

    private static async Task<JobRecord?> FirstOrNullAsync(Task<JobRecord[]> rows)
    {
        var found = await rows.ConfigureAwait(false);
        return found.Length == 0 ? null : found[0];
    }

    /// <summary>
    /// A unique violation on the job's name (the overlap guard of db/schema.sql, whatever its index is called), not
    /// any 23505: a primary key clash after a restore, say, is a different problem and keeps its own message.
    /// </summary>
    private static bool IsOverlapGuard(JobsApiException e)
        => e.Status == 409 && e.ErrorCode == "23505"
            && ((e.Details?.Contains("Key (name)=") ?? false)
                || (e.ServerMessage?.Contains("jobs_one_in_progress_per_name") ?? false));

    private Task<T[]> GetAsync<T>(string url, JsonTypeInfo<T[]> type, string operation, CancellationToken cancellationToken)
        where T : class
        => SendAsync(HttpMethod.Get, url, null, type, operation, cancellationToken);

    /// <summary>
    /// One attempt: sends the request, turns an error response into a <see cref="JobsApiException"/>, and parses the
    /// rows. <c>oneRow</c>, when given, says that the answer must hold one row (or none, when allowed) and what it should have been.
    /// </summary>
    private async Task<T[]> SendAsync<T>(HttpMethod method, string url, HttpContent? content, JsonTypeInfo<T[]> type, string operation, CancellationToken cancellationToken, (string Expected, bool NoneAllowed)? oneRow = null)
        where T : class
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

        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        Telemetry.ResponseReceived(response);
        if (!response.IsSuccessStatusCode)
        {
            throw await ResponseErrors.FromResponseAsync(response, operation, _authorization is not null, _time, cancellationToken).ConfigureAwait(false);
        }

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

        if (rows is null || !rows.All(IsComplete))
        {
            throw await ResponseErrors.UnexpectedBodyAsync(response, operation, "a JSON array of complete job rows", null, cancellationToken).ConfigureAwait(false);
        }

        if (oneRow is { } one && (rows.Length > 1 || (rows.Length == 0 && !one.NoneAllowed)))
        {
            throw await ResponseErrors.UnexpectedBodyAsync(response, operation, one.Expected, null, cancellationToken).ConfigureAwait(false);
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

    /// <summary>
    /// Runs one operation through the pipeline (total timeout, retry, attempt timeout) and turns what is left of a
    /// failure into the library's exception. A caller's own cancellation propagates as it is.
    /// </summary>
    private async Task<T> ExecuteAsync<T>(string operation, Func<CancellationToken, Task<T>> attempt, CancellationToken cancellationToken)
    {
        // A caller who has already cancelled gets that, and nothing is sent.
        cancellationToken.ThrowIfCancellationRequested();

        var attempts = new Attempts<T>(attempt);
        var context = ResilienceContextPool.Shared.Get(operation, cancellationToken);
        try
        {
            return await _pipeline.ExecuteAsync(static (context, attempts) => attempts.NextAsync(context.CancellationToken), context, attempts).ConfigureAwait(false);
        }
        catch (Exception e) when (Failure(e, operation, attempts, context, cancellationToken) is { } failure)
        {
            throw failure;
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <summary>The exception an operation ends with, or <see langword="null"/> to rethrow the original as it is.</summary>
    private JobsApiException? Failure<T>(Exception exception, string operation, Attempts<T> attempts, ResilienceContext context, CancellationToken cancellationToken)
    {
        var count = attempts.Count;
        switch (exception)
        {
            case OperationCanceledException when cancellationToken.IsCancellationRequested:
                return null;
            case JobsApiException api:
                api.Attempts = count;
                return null;
            case TimeoutRejectedException e when context.Properties.TryGetValue(JobsApiResilience.TotalTimedOut, out var total) && total:
                return new JobsApiException(0, $"{operation} timed out after {Seconds(_totalTimeout)} (the total timeout of one operation, JobOptions.TotalTimeout){LastFailure(attempts)}.", null, e)
                {
                    IsTransient = true,
                    Attempts = count,
                };
            case TimeoutRejectedException e:
                return new JobsApiException(0, $"{operation} timed out after {Seconds(e.Timeout)} without a response (JobOptions.AttemptTimeout){LastFailure(attempts)}.", null, e)
                {
                    IsTransient = true,
                    Attempts = count,
                };
            case Exception e when e is HttpRequestException or IOException:
                return new JobsApiException(0, $"{operation} failed: could not reach the Jobs API at {new Uri(_table).Authority} ({e.Message}){LastFailure(attempts)}.", null, e)
                {
                    IsTransient = true,
                    Attempts = count,
                };
            case OperationCanceledException e:
                return new JobsApiException(0, $"{operation} timed out: no response within the HttpClient's Timeout of {Seconds(_http.Timeout)}{LastFailure(attempts)}.", null, e)
                {
                    IsTransient = true,
                    Attempts = count,
                };
            default:
                return null;
        }
    }

    /// <summary>The attempts of one operation: each is counted, and the last error response kept for the final message.</summary>
    private sealed class Attempts<T>(Func<CancellationToken, Task<T>> attempt)
    {
        public int Count { get; private set; }

        public JobsApiException? LastFailure { get; private set; }

        public async ValueTask<T> NextAsync(CancellationToken cancellationToken)
        {
            Count++;
            try
            {
                return await attempt(cancellationToken).ConfigureAwait(false);
            }
            catch (JobsApiException e)
            {
                LastFailure = e;
                throw;
            }
        }
    }

    private static string Seconds(TimeSpan value) => $"{value.TotalSeconds:0.###} s";

    private static string LastFailure<T>(Attempts<T> attempts)
        => attempts.LastFailure is { Status: > 0 } last ? $" (an earlier attempt got HTTP {last.Status})" : string.Empty;
}
