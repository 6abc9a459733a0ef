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

    /// <summary>The SQLSTATE of the <c>jobs_final_state</c> trigger of db/schema.sql: a finished run cannot change.</summary>
    private const string FinalStateCode = "23J01";

    /// <summary>Names longer than this (encoded) are matched after the lookup, not in its URL.</summary>
    private const int MaxNameInLookup = 512;

    /// <summary>The most a <c>start_date</c> column rounds a value: half a second, in a <c>timestamptz(0)</c>.</summary>
    private static readonly TimeSpan StartDatePrecisionLoss = TimeSpan.FromMilliseconds(500);

    /// <summary>The range the lookup asks for around the start it sent.</summary>
    private static readonly TimeSpan StartDateTolerance = TimeSpan.FromSeconds(1);

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
    /// Inserts a run. When an attempt's outcome is unknown (no response, a 5xx or 52x that is not PostgREST's own error,
    /// a 2xx whose body is not the row) the row may have been committed, so it is looked up by the values this client
    /// chose and adopted; <paramref name="progress"/> tells the caller whether a row may exist when the start fails.
    /// </summary>
    public Task<JobRecord> InsertRunAsync(NewRun run, StartProgress progress, CancellationToken cancellationToken)
    {
        var operation = $"Starting a run of job '{run.Name}'";
        return ExecuteAsync(
            operation,
            async ct =>
            {
                if (progress.MayHaveCommitted && await FindStartedRunAsync(run, operation, ct).ConfigureAwait(false) is { } existing)
                {
                    Log.RunAdopted(_logger, run.Name, existing.Id);
                    return existing;
                }

                try
                {
                    var rows = await SendAsync(
                        HttpMethod.Post,
                        _table,
                        JsonContent.Create(run, JobsJsonContext.Default.NewRun),
                        JobsJsonContext.Default.JobRecordArray,
                        operation,
                        ct,
                        OneRow("an array holding the one inserted row (is Prefer: return=representation honoured?)", noneAllowed: false),
                        rows => IsRowWritten(rows[0], run) ? null : $"the answer holds run {rows[0].Id} of job '{rows[0].Name}' (status {rows[0].Status}, started {JobTimestamps.Format(rows[0].StartDate)}), not the run this client wrote, and is refused.")
                        .ConfigureAwait(false);
                    return rows[0];
                }
                catch (JobsApiException e) when (e.Status > 0)
                {
                    if (IsOverlapGuard(e))
                    {
                        throw new JobAlreadyRunningException(run.Name, $"{operation} failed: another run of this job is still in progress (409, overlap guard [code 23505]). {e.ServerMessage}".TrimEnd())
                        {
                            ServerMessage = e.ServerMessage,
                            Details = e.Details,
                            Hint = e.Hint,
                        };
                    }

                    var answered = e.Status is >= 200 and < 300;
                    progress.MayHaveCommitted |= answered || ResponseErrors.OutcomeUnknown(e);

                    // A 2xx whose body is not the row (empty, an object, another row): the insert was most likely
                    // committed, and the row is the proof.
                    if (answered && await FindStartedRunAsync(run, operation, ct).ConfigureAwait(false) is { } written)
                    {
                        Log.RunAdopted(_logger, run.Name, written.Id);
                        return written;
                    }

                    throw;
                }
                catch
                {
                    // No response (refused, reset, timed out): the request may have reached the server and been committed.
                    progress.MayHaveCommitted = true;
                    throw;
                }
            },
            cancellationToken);
    }

    /// <summary>
    /// Records an outcome on run <paramref name="id"/> if it is still in progress: a conditional update, so an ended run
    /// is never rewritten. When the update matched nothing, or its answer does not show the outcome, the run is read
    /// back: it already holds this outcome (a retried PATCH whose first attempt was committed) and is returned; it holds
    /// another one, <see cref="JobRunAlreadyEndedException"/>; it is gone, <see cref="JobRunNotFoundException"/>.
    /// </summary>
    public Task<JobRecord> UpdateRunAsync(long id, RunUpdate update, CancellationToken cancellationToken)
    {
        var operation = $"Recording the outcome of run {id.ToString(CultureInfo.InvariantCulture)}";
        var url = RunUrl(id) + "&status=eq.in_progress";
        return ExecuteAsync(
            operation,
            async ct =>
            {
                JobRecord[] rows;
                try
                {
                    rows = await SendAsync(
                        Patch,
                        url,
                        JsonContent.Create(update, JobsJsonContext.Default.RunUpdate),
                        JobsJsonContext.Default.JobRecordArray,
                        operation,
                        ct,
                        OneRow("an array holding the one updated row", noneAllowed: true),
                        rows => rows.Length == 0 || Carries(rows[0], id, update) ? null : $"the answer holds run {rows[0].Id} with status {rows[0].Status}, not the outcome this client sent.")
                        .ConfigureAwait(false);
                }
                catch (JobsApiException e) when (e.Status == 404 && e.ErrorCode is not ("PGRST205" or "42P01" or "PGRST125"))
                {
                    // PostgREST v6 to v10.0 answer a PATCH that matched no row with 404.
                    return await SettleAsync(id, update, operation, 404, null, ct).ConfigureAwait(false);
                }
                catch (JobsApiException e) when (e.ErrorCode == FinalStateCode || e.Status is >= 200 and < 300)
                {
                    // Refused by the jobs_final_state trigger, or a 2xx that does not show the outcome: the row tells.
                    return await SettleAsync(id, update, operation, e.Status, e, ct).ConfigureAwait(false);
                }

                return rows.Length == 1 ? rows[0] : await SettleAsync(id, update, operation, 200, null, ct).ConfigureAwait(false);
            },
            cancellationToken);
    }

    /// <summary>
    /// After a start failed while its row may have been committed (or the caller cancelled it in flight): finds the run
    /// this client chose and, when it exists, records it as an error with <paramref name="reason"/>, so no row is left in
    /// progress with nobody to end it.
    /// </summary>
    /// <returns>The run as recorded, or <see langword="null"/> when the start had not been committed.</returns>
    public async Task<JobRecord?> AbandonStartAsync(NewRun run, string reason, DateTimeOffset end, CancellationToken cancellationToken)
    {
        var operation = $"Ending the failed start of job '{run.Name}'";
        var started = await ExecuteAsync(operation, ct => FindStartedRunAsync(run, operation, ct), cancellationToken).ConfigureAwait(false);
        return started is null
            ? null
            : await UpdateRunAsync(started.Id, new RunUpdate(RunRules.EndDate(started.StartDate, end), JobStatus.Error, null, reason), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Percent-encodes a filter value (RFC 3986 unreserved characters stay as they are).</summary>
    internal static string Encode(string value) => Uri.EscapeDataString(value);

    /// <summary>The URL of one run: the table filtered on its id.</summary>
    private string RunUrl(long id) => string.Concat(_table, "?id=eq.", id.ToString(CultureInfo.InvariantCulture));

    private static JobRunNotFoundException NotFound(long id, int status, string operation)
        => new(id, status, $"{operation} failed: run {id} was not found (the PATCH matched no row). It may have been deleted, or the id is wrong.");

    private static (string Expected, bool NoneAllowed)? OneRow(string expected, bool noneAllowed) => (expected, noneAllowed);

    /// <summary>
    /// The run this client started, if the server holds it: same name, source and destination, in progress, and a
    /// <c>start_date</c> equal to the one sent within what the column keeps (it may round to milliseconds or seconds),
    /// the closest first. The query asks for a one-second range around the start rather than the exact value, and leaves
    /// a long name out of the URL (a proxy may refuse a long URL with 414), matching it here instead.
    /// </summary>
    private async Task<JobRecord?> FindStartedRunAsync(NewRun run, string operation, CancellationToken cancellationToken)
    {
        var name = Encode(run.Name);
        var url = new StringBuilder(_table).Append('?');
        if (name.Length <= MaxNameInLookup)
        {
            url.Append("name=eq.").Append(name).Append('&');
        }

        url.Append("source=eq.").Append(Encode(run.Source))
            .Append("&destination=eq.").Append(Encode(run.Destination))
            .Append("&status=eq.in_progress")
            .Append("&start_date=gte.").Append(Encode(JobTimestamps.Format(run.StartDate - StartDateTolerance)))
            .Append("&start_date=lte.").Append(Encode(JobTimestamps.Format(run.StartDate + StartDateTolerance)))
            .Append("&order=id.asc&limit=100");
        var rows = await GetAsync(url.ToString(), JobsJsonContext.Default.JobRecordArray, operation, cancellationToken).ConfigureAwait(false);
        return rows
            .Where(r => IsRowWritten(r, run))
            .OrderBy(r => (r.StartDate - run.StartDate).Duration())
            .ThenBy(r => r.Id)
            .FirstOrDefault();
    }

    /// <summary>
    /// Whether <paramref name="row"/> is the row a start wrote: its values, with the start date as a column of any
    /// precision keeps it (rounded to seconds at worst).
    /// </summary>
    private static bool IsRowWritten(JobRecord row, NewRun run)
        => row.Status == JobStatus.InProgress
            && string.Equals(row.Name, run.Name, StringComparison.Ordinal)
            && string.Equals(row.Source, run.Source, StringComparison.Ordinal)
            && string.Equals(row.Destination, run.Destination, StringComparison.Ordinal)
            && (row.StartDate - run.StartDate).Duration() <= StartDatePrecisionLoss;

    /// <summary>Whether <paramref name="row"/> is run <paramref name="id"/> holding the outcome of <paramref name="update"/> (the values it sent).</summary>
    private static bool Carries(JobRecord row, long id, RunUpdate update)
        => row.Id == id
            && row.Status == update.Status
            && (update.RecordsProcessed is null || row.RecordsProcessed == update.RecordsProcessed)
            && (update.Message is null || string.Equals(row.Message, update.Message, StringComparison.Ordinal));

    /// <summary>Reads run <paramref name="id"/> back after a conditional update that did not show the outcome, and decides.</summary>
    private async Task<JobRecord> SettleAsync(long id, RunUpdate update, string operation, int status, JobsApiException? cause, CancellationToken cancellationToken)
    {
        var stored = await SendAsync(HttpMethod.Get, RunUrl(id), null, JobsJsonContext.Default.JobRecordArray, operation, cancellationToken, OneRow("an array holding at most the one run with that id", noneAllowed: true)).ConfigureAwait(false);
        if (stored.Length == 0)
        {
            throw NotFound(id, status, operation);
        }

        var row = stored[0];
        if (Carries(row, id, update))
        {
            return row;
        }

        if (row.Status.IsFinal)
        {
            throw new JobRunAlreadyEndedException(row, status, $"{operation} failed: run {id} of job '{row.Name}' has already ended ({Describe(row)}), so {update.Status} was not recorded. A finished run is final.", cause?.ErrorCode);
        }

        throw cause ?? new JobsApiException(status, $"{operation} failed: the update matched no run in progress, yet run {id} is still in progress.");
    }

    private static string Describe(JobRecord row)
    {
        var text = new StringBuilder("status ").Append(row.Status.Value);
        text.Append(", end_date ").Append(row.EndDate is { } end ? JobTimestamps.Format(end) : "none");
        text.Append(", records_processed ").Append(row.RecordsProcessed?.ToString(CultureInfo.InvariantCulture) ?? "none");
        if (row.Message is { } message)
        {
            text.Append(", message \"").Append(message.Length <= 200 ? message : message.Substring(0, 200) + "…").Append('"');
        }

        return text.ToString();
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
    private async Task<T[]> SendAsync<T>(HttpMethod method, string url, HttpContent? content, JsonTypeInfo<T[]> type, string operation, CancellationToken cancellationToken, (string Expected, bool NoneAllowed)? oneRow = null, Func<T[], string?>? problem = null)
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

        // HttpClient rewrites the request's URI and method when it follows a redirect: keep what was asked.
        var asked = request.RequestUri;
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        Telemetry.ResponseReceived(response);

        // A caller's HttpClient may follow a redirect: whatever the answer says, it comes from another address (often to
        // another method, without the token), so it is not this request's answer. Refused for every operation, reads
        // included: a watermark read from elsewhere would make the ETL skip records.
        if (response.RequestMessage is { } sent && (sent.Method != method || sent.RequestUri != asked))
        {
            throw await ResponseErrors.FollowedRedirectAsync(response, sent, operation, cancellationToken).ConfigureAwait(false);
        }

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

        if (problem?.Invoke(rows) is { } wrong)
        {
            var status = (int)response.StatusCode;
            throw new JobsApiException(status, $"{operation} failed: {wrong}");
        }

        return rows;
    }

    private static bool IsComplete<T>(T? row) => row switch
    {
        null => false,
        JobRecord r => r.StartDate != default && r.Name is not null && r.Source is not null && r.Destination is not null && r.Status.Value.Length > 0,
        WatermarkRow w => w.StartDate is not null,
        CursorRow c => c.Cursor is not null,
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
