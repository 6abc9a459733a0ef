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

    /// <summary>The range a lookup by start date asks for around the start it sent: a <c>timestamptz(0)</c> moves it by half a second at most.</summary>
    private static readonly TimeSpan StartDateRange = TimeSpan.FromSeconds(1);

    private readonly HttpClient _http;
    private readonly string _table;
    private readonly AuthenticationHeaderValue? _authorization;
    private readonly ResiliencePipeline _pipeline;
    private readonly TimeSpan _totalTimeout;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly RunKeyMode _runKeys;

    // Learned from the server (RunKey = Auto): the table has no run_key column, so starts send none.
    private volatile bool _tableLacksRunKey;

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
        _runKeys = options.RunKey;
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
    /// a 2xx whose body is not the row) the row may have been committed, so the next attempt first looks for it and
    /// adopts it only when it is certainly this start's (see <see cref="FindStartedRunAsync"/>);
    /// <paramref name="progress"/> tells the caller whether a row may exist when the start fails.
    /// </summary>
    /// <remarks>
    /// A start sends a fresh run key, and resolves an unknown outcome by looking the key up (one GET) rather than by an
    /// upsert on it (<c>on_conflict=run_key</c> with a <c>resolution</c> preference). The lookup works with every
    /// PostgREST version, where <c>on_conflict</c> needs v7 or later; an upsert with <c>ignore-duplicates</c> answers
    /// <c>[]</c> for the row already there, so it would need the same GET; one with <c>merge-duplicates</c> would rewrite
    /// a row that may have been ended meanwhile (which the final-state trigger refuses). The unique index on
    /// <c>run_key</c> makes the plain re-POST safe: if an earlier attempt was committed after the lookup, the re-POST
    /// fails with 23505 on the key, and the key is looked up again.
    /// </remarks>
    public Task<JobRecord> InsertRunAsync(NewRun run, StartProgress progress, CancellationToken cancellationToken)
    {
        var operation = $"Starting a run of job '{run.Name}'";
        return ExecuteAsync(
            operation,
            async ct =>
            {
                if (progress.MayHaveCommitted && await FindStartedRunAsync(progress, operation, ct).ConfigureAwait(false) is { } existing)
                {
                    Log.RunAdopted(_logger, run.Name, existing.Id);
                    return existing;
                }

                while (true)
                {
                    var sent = Body(run, progress);
                    try
                    {
                        return await PostRunAsync(sent, progress, operation, ct).ConfigureAwait(false);
                    }
                    catch (JobsApiException e) when (sent.RunKey is not null && IsMissingRunKey(e))
                    {
                        // PostgREST refused the body before writing anything: the table has no run_key column.
                        if (_runKeys == RunKeyMode.On)
                        {
                            throw MissingRunKey(e, operation);
                        }

                        _tableLacksRunKey = true;
                    }
                }
            },
            cancellationToken);
    }

    /// <summary>One POST of <paramref name="sent"/>, with what its answer says about the start.</summary>
    private async Task<JobRecord> PostRunAsync(NewRun sent, StartProgress progress, string operation, CancellationToken cancellationToken)
    {
        try
        {
            var rows = await SendAsync(
                HttpMethod.Post,
                _table,
                JsonContent.Create(sent, JobsJsonContext.Default.NewRun),
                JobsJsonContext.Default.JobRecordArray,
                operation,
                cancellationToken,
                OneRow("an array holding the one inserted row (is Prefer: return=representation honoured?)", noneAllowed: false),
                rows => IsRowSent(rows[0], sent) ? null : $"the answer holds run {rows[0].Id} of job '{rows[0].Name}' (status {rows[0].Status}, started {JobTimestamps.Format(rows[0].StartDate)}), not the run this client wrote, and is refused.")
                .ConfigureAwait(false);
            return rows[0];
        }
        catch (JobsApiException e) when (e.Status > 0)
        {
            // A unique violation on a start that may have been committed before: with a key, the row is looked for first
            // (a violation of the key's index means exactly that an earlier attempt of this start was committed).
            progress.MayHaveCommitted |= IsDuplicateRunKey(e);
            if (e.Status == 409 && e.ErrorCode == "23505" && sent.RunKey is not null && progress.MayHaveCommitted
                && await FindStartedRunAsync(progress, operation, cancellationToken).ConfigureAwait(false) is { } committed)
            {
                Log.RunAdopted(_logger, sent.Name, committed.Id);
                return committed;
            }

            if (IsOverlapGuard(e))
            {
                throw new JobAlreadyRunningException(sent.Name, $"{operation} failed: another run of this job is still in progress (409, overlap guard [code 23505]). {e.ServerMessage}".TrimEnd())
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
            if (answered && await FindStartedRunAsync(progress, operation, cancellationToken).ConfigureAwait(false) is { } written)
            {
                Log.RunAdopted(_logger, sent.Name, written.Id);
                return written;
            }

            throw;
        }
        catch (Exception e) when (e is not JobsApiException { Status: > 0 })
        {
            // No response (refused, reset, timed out): the request may have reached the server and been committed.
            progress.MayHaveCommitted = true;
            throw;
        }
    }

    /// <summary>
    /// The body this start sends now: with its key while the table may have the run_key column, otherwise without one and
    /// with a start date that only this start sends (chosen once per start, so all its attempts send the same).
    /// </summary>
    private NewRun Body(NewRun run, StartProgress progress)
    {
        var keyless = _runKeys == RunKeyMode.Off || (_runKeys == RunKeyMode.Auto && _tableLacksRunKey);
        if (progress.Sent is { } sent && (sent.RunKey is null || !keyless))
        {
            return sent;
        }

        return progress.Sent = keyless ? run.WithoutKey(StartIdentity.DistinctStartDate(run.StartDate)) : run.WithKey(StartIdentity.NewKey());
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
    /// this start sent and, when it exists, records it as an error with <paramref name="reason"/>, so no row is left in
    /// progress with nobody to end it. A row that cannot be told from another start's is left alone (for recovery): the
    /// <see cref="JobsApiException"/> that says so is thrown.
    /// </summary>
    /// <returns>The run as recorded, or <see langword="null"/> when the start had not been committed.</returns>
    public async Task<JobRecord?> AbandonStartAsync(StartProgress progress, string reason, DateTimeOffset end, CancellationToken cancellationToken)
    {
        if (progress.Unidentified is { } unidentified)
        {
            throw unidentified;
        }

        if (progress.Sent is not { } sent)
        {
            return null;
        }

        var operation = $"Ending the failed start of job '{sent.Name}'";
        var started = await ExecuteAsync(operation, ct => FindStartedRunAsync(progress, operation, ct), cancellationToken).ConfigureAwait(false);
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
    /// The run this start wrote, if the server holds it; <see langword="null"/> when it was not committed. With a run key,
    /// the row with that key (exact whatever the precision of <c>start_date</c> and however many starts run at once).
    /// Without one, only an in-progress row of this job whose <c>start_date</c> is exactly the instant sent, and the only
    /// such row; when the column is coarser than microseconds, or several rows qualify, a row of this start cannot be
    /// told from another start's, and the start fails (<see cref="Unidentified"/>): never adopt a row that another start
    /// may own.
    /// </summary>
    private async Task<JobRecord?> FindStartedRunAsync(StartProgress progress, string operation, CancellationToken cancellationToken)
    {
        var sent = progress.Sent!;
        if (sent.RunKey is { } key)
        {
            try
            {
                return await FindByKeyAsync(sent, key, operation, cancellationToken).ConfigureAwait(false);
            }
            catch (JobsApiException e) when (IsMissingRunKey(e))
            {
                // The table has no run_key column, so the POST that carried the key was refused and wrote nothing.
                if (_runKeys == RunKeyMode.On)
                {
                    throw MissingRunKey(e, operation);
                }

                _tableLacksRunKey = true;
                return null;
            }
        }

        var rows = await FindByStartDateAsync(sent, operation, cancellationToken).ConfigureAwait(false);
        var exact = rows.Where(r => r.StartDate == sent.StartDate).ToList();
        if (exact.Count == 1)
        {
            // The start date ends in a microsecond digit other than 0 and no other start of this process sent it: only a
            // column that keeps microseconds stores it exactly, and only this start wrote it there.
            return exact[0];
        }

        var candidates = rows.Where(r => StartIdentity.CouldBeStored(r.StartDate, sent.StartDate)).ToList();
        if (exact.Count == 0 && (candidates.Count == 0 || rows.Any(r => StartIdentity.ShowsMicroseconds(r.StartDate))))
        {
            // Nothing this start could have written, or a column that keeps microseconds (a row shows them) where this
            // start's row would have matched exactly: it was not committed.
            return null;
        }

        throw progress.Unidentified = Unidentified(sent, exact.Count > 0 ? exact : candidates, exact.Count > 1, operation);
    }

    /// <summary>The row that carries <paramref name="key"/>, which only this start sends.</summary>
    private async Task<JobRecord?> FindByKeyAsync(NewRun sent, Guid key, string operation, CancellationToken cancellationToken)
    {
        var url = string.Concat(_table, "?run_key=eq.", key.ToString("D"));
        var rows = await SendAsync(HttpMethod.Get, url, null, JobsJsonContext.Default.JobRecordArray, operation, cancellationToken, OneRow("an array holding at most the one run with that run_key", noneAllowed: true)).ConfigureAwait(false);
        if (rows.Length == 0)
        {
            return null;
        }

        var row = rows[0];
        return IsRowSent(row, sent)
            ? row
            : throw new JobsApiException(200, $"{operation} failed: run {row.Id} carries this start's run_key {key:D} but is not the run it wrote (job '{row.Name}', status {row.Status}, started {JobTimestamps.Format(row.StartDate)}); it was changed by someone else, and is not adopted.");
    }

    /// <summary>
    /// This job's runs in progress whose start date lies within a second of the one sent (wide enough for any precision of
    /// the column). A long name is left out of the URL (a proxy may refuse a long URL with 414) and matched here instead.
    /// </summary>
    private async Task<List<JobRecord>> FindByStartDateAsync(NewRun sent, string operation, CancellationToken cancellationToken)
    {
        var name = Encode(sent.Name);
        var url = new StringBuilder(_table).Append('?');
        if (name.Length <= MaxNameInLookup)
        {
            url.Append("name=eq.").Append(name).Append('&');
        }

        url.Append("source=eq.").Append(Encode(sent.Source))
            .Append("&destination=eq.").Append(Encode(sent.Destination))
            .Append("&status=eq.in_progress")
            .Append("&start_date=gte.").Append(Encode(JobTimestamps.Format(sent.StartDate - StartDateRange)))
            .Append("&start_date=lte.").Append(Encode(JobTimestamps.Format(sent.StartDate + StartDateRange)))
            .Append("&order=id.asc&limit=100");
        var rows = await GetAsync(url.ToString(), JobsJsonContext.Default.JobRecordArray, operation, cancellationToken).ConfigureAwait(false);
        return [.. rows.Where(r => IsOfStart(r, sent))];
    }

    /// <summary>Whether <paramref name="row"/> holds what a start sent: its job, in progress, and its start date as a column of any precision stores it.</summary>
    private static bool IsRowSent(JobRecord row, NewRun sent)
        => IsOfStart(row, sent) && StartIdentity.CouldBeStored(row.StartDate, sent.StartDate);

    /// <summary>Whether <paramref name="row"/> is a run in progress of the job that <paramref name="sent"/> starts.</summary>
    private static bool IsOfStart(JobRecord row, NewRun sent)
        => row.Status == JobStatus.InProgress
            && string.Equals(row.Name, sent.Name, StringComparison.Ordinal)
            && string.Equals(row.Source, sent.Source, StringComparison.Ordinal)
            && string.Equals(row.Destination, sent.Destination, StringComparison.Ordinal);

    /// <summary>The failure of a start whose row, if it was committed, cannot be told from another start's.</summary>
    private static JobsApiException Unidentified(NewRun sent, List<JobRecord> candidates, bool sameInstant, string operation)
    {
        var ids = string.Join(", ", candidates.Select(r => r.Id.ToString(CultureInfo.InvariantCulture)));
        var why = sameInstant
            ? $"{candidates.Count} runs in progress of this job (ids {ids}) have exactly its start_date {JobTimestamps.Format(sent.StartDate)}"
            : $"the start_date column does not keep microseconds, so the run with id {ids} (start_date {JobTimestamps.Format(candidates[0].StartDate)}) may be this start's or another's";
        if (!sameInstant && candidates.Count > 1)
        {
            why = $"the start_date column does not keep microseconds, so any of the runs with ids {ids} may be this start's or another's";
        }

        return new JobsApiException(
            0,
            $"{operation} failed: the run could not be identified. Its response was lost and the jobs table has no run_key column, so the run can be recognised only by its start_date, and {why}. None was adopted or ended, since it may belong to another start; a recovery pass ends the one left behind. Add the run_key column (db/schema.sql adds it) so that every start is identified by its key.");
    }

    /// <summary>PostgREST's refusal of a body or filter that names <c>run_key</c>, a column the table does not have.</summary>
    private static bool IsMissingRunKey(JobsApiException e)
        => e.Status == 400 && e.ErrorCode is "PGRST204" or "42703" && (e.ServerMessage ?? e.Message).Contains("run_key");

    private static JobsApiException MissingRunKey(JobsApiException e, string operation)
        => new(e.Status, $"{operation} failed: the jobs table has no run_key column, which JobOptions.RunKey = On requires. Add it with db/schema.sql (it adds the column and its unique index if they are not there), or set RunKey to Auto. ({e.ServerMessage})", e.ErrorCode, e)
        {
            ServerMessage = e.ServerMessage,
            Details = e.Details,
            Hint = e.Hint,
        };

    /// <summary>A unique violation on the run_key index: a row with this start's key exists already.</summary>
    private static bool IsDuplicateRunKey(JobsApiException e)
        => (e.Details?.Contains("Key (run_key)=") ?? false) || (e.ServerMessage?.Contains("jobs_run_key") ?? false);

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
