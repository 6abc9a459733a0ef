using System.Globalization;
using System.Text;
using JobUtil.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;

namespace JobUtil;

/// <summary>
/// Every job of a Jobs API at a glance: each job's latest run and latest success, and its health by a
/// <see cref="JobHealthPolicy"/>; and the runs of all jobs since a time. The number of requests does not grow with
/// the number of jobs.
/// </summary>
/// <remarks>
/// <para>
/// Against a server with the <c>jobs_fleet</c> view of <c>db/schema.sql</c> (beside the jobs table, such as
/// <c>https://host/jobs_fleet</c> for <c>https://host/jobs</c>), <see cref="GetJobsAsync"/> is one request answered
/// from indexes. Against a server with only the nine-column <c>jobs</c> table it falls back to three bounded reads
/// of the table: the newest <see cref="FallbackRunLimit"/> runs, the newest as many successful runs, and the oldest
/// as many runs in progress. A job none of whose runs is among them is then not listed, and its failures are counted
/// among them only.
/// </para>
/// <para>Methods are safe to call from several threads. Every request goes through the timeouts and retries of <see cref="JobOptions"/>.</para>
/// </remarks>
public class JobFleet
{
    /// <summary>How many runs each read of the fallback takes, on a server without the <c>jobs_fleet</c> view.</summary>
    public const int FallbackRunLimit = 10_000;

    /// <summary>The most runs <see cref="GetRunsAsync"/> returns.</summary>
    public const int MaxRunLimit = 100_000;

    private const string LogName = "(fleet)";
    private const string RunColumns = "id,name,start_date,end_date,message,status,records_processed,source,destination";

    private readonly JobsApi _api = null!;
    private readonly TimeProvider _time = TimeProvider.System;
    private readonly ILogger _logger = NullLogger.Instance;
    private readonly string _table = string.Empty;
    private readonly string _view = string.Empty;

    /// <summary>Creates a fleet reader that sends with a caller-owned <see cref="HttpClient"/>, which it never disposes.</summary>
    /// <param name="options">The Jobs API settings; <see cref="JobOptions.Source"/> and <see cref="JobOptions.Destination"/> are not needed. They are copied.</param>
    /// <param name="httpClient">The client to send with (from <c>IHttpClientFactory</c>, say).</param>
    /// <param name="timeProvider">The clock that ages are judged by and retries wait on; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="loggerFactory">Where retries are logged; nothing is logged when null.</param>
    /// <exception cref="ArgumentException">An option is invalid; nothing has been sent.</exception>
    public JobFleet(JobOptions options, HttpClient httpClient, TimeProvider? timeProvider = null, ILoggerFactory? loggerFactory = null)
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
        OptionsValidation.ThrowIfInvalid(copy, nameof(options), requireSourceAndDestination: false);
        _time = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)loggerFactory?.CreateLogger<JobFleet>() ?? NullLogger.Instance;
        _api = new JobsApi(httpClient, copy, _time, _logger, LogName);
        _table = copy.Url!.TrimEnd('/');
        _view = _table.Substring(0, _table.LastIndexOf('/') + 1) + "jobs_fleet";
    }

    /// <summary>For mocking: a fleet with no connection. Every method must be overridden before use.</summary>
    protected JobFleet()
    {
    }

    /// <summary>Every job that has at least one run, in ordinal order of name, with its latest run and latest success.</summary>
    /// <param name="cancellationToken">Cancels the requests and any retry wait.</param>
    /// <returns>One summary per job name.</returns>
    /// <exception cref="JobsApiException">The Jobs API answered with an error, or could not be reached in time.</exception>
    public virtual async Task<IReadOnlyList<JobSummary>> GetJobsAsync(CancellationToken cancellationToken = default)
    {
        IReadOnlyList<FleetRow> rows;
        try
        {
            rows = await _api.GetArrayAsync(
                $"{_view}?select={FleetRow.Columns}",
                FleetJsonContext.Default.FleetRowArray,
                "Reading the jobs_fleet view",
                static row => row.IsComplete,
                cancellationToken).ConfigureAwait(false);
        }
        catch (JobsApiException e) when (IsMissingView(e))
        {
            FleetLog.ViewMissing(_logger, _view, FallbackRunLimit);
            return await ReadFallbackAsync(cancellationToken).ConfigureAwait(false);
        }

        return [.. rows.Select(ToSummary).OrderBy(s => s.Name, StringComparer.Ordinal)];
    }

    /// <summary>
    /// The health of every job, or of the jobs named, judged by <paramref name="policy"/> at the clock's current time.
    /// A job named that has no runs is <see cref="JobHealthState.NeverRan"/>.
    /// </summary>
    /// <param name="policy">The thresholds.</param>
    /// <param name="names">The jobs to judge, in the order to report them; null or empty for every job (in name order).</param>
    /// <param name="cancellationToken">Cancels the requests and any retry wait.</param>
    /// <returns>One health per job.</returns>
    /// <exception cref="ArgumentException">A name is empty, or a threshold of <paramref name="policy"/> is invalid; nothing has been sent.</exception>
    /// <exception cref="JobsApiException">The Jobs API answered with an error, or could not be reached in time.</exception>
    public virtual async Task<IReadOnlyList<JobHealth>> CheckAsync(JobHealthPolicy policy, IEnumerable<string>? names = null, CancellationToken cancellationToken = default)
    {
        if (policy is null)
        {
            throw new ArgumentNullException(nameof(policy));
        }

        var wanted = CheckNames(names, nameof(names));
        foreach (var maxAge in policy.MaxAges)
        {
            if (maxAge.Value <= TimeSpan.Zero)
            {
                throw new ArgumentException($"The maximum age of job '{maxAge.Key}' must be longer than zero; it is {maxAge.Value}.", nameof(policy));
            }
        }

        var jobs = await GetJobsAsync(cancellationToken).ConfigureAwait(false);
        var now = _time.GetUtcNow();
        if (wanted is null)
        {
            return [.. jobs.Select(job => policy.Evaluate(job, now))];
        }

        var byName = jobs.ToDictionary(j => j.Name, StringComparer.Ordinal);
        return [.. wanted.Select(name => byName.TryGetValue(name, out var job) ? policy.Evaluate(job, now) : JobHealthPolicy.NeverRan(name))];
    }

    /// <summary>
    /// The runs of every job, or of the jobs named, that started at or after <paramref name="since"/>, newest first
    /// (for reports of what ran). One request, at most <paramref name="limit"/> runs.
    /// </summary>
    /// <param name="since">The earliest start to include.</param>
    /// <param name="names">The jobs whose runs to list; null or empty for every job.</param>
    /// <param name="limit">The most runs to return, 1 to <see cref="MaxRunLimit"/>.</param>
    /// <param name="cancellationToken">Cancels the request and any retry wait.</param>
    /// <returns>The runs, newest first; when there are more than <paramref name="limit"/>, the newest ones.</returns>
    /// <exception cref="ArgumentException">A name is empty, or the limit is out of range; nothing has been sent.</exception>
    /// <exception cref="JobsApiException">The Jobs API answered with an error, or could not be reached in time.</exception>
    public virtual async Task<IReadOnlyList<JobRecord>> GetRunsAsync(DateTimeOffset since, IEnumerable<string>? names = null, int limit = FallbackRunLimit, CancellationToken cancellationToken = default)
    {
        var wanted = CheckNames(names, nameof(names));
        if (limit is < 1 or > MaxRunLimit)
        {
            throw new ArgumentOutOfRangeException(nameof(limit), limit, $"The limit must be from 1 to {MaxRunLimit}.");
        }

        var url = new StringBuilder(_table).Append("?select=").Append(RunColumns)
            .Append("&start_date=gte.").Append(JobsApi.Encode(JobTimestamps.Format(since)));
        if (wanted is not null)
        {
            url.Append("&name=in.").Append(JobsApi.Encode("(" + string.Join(",", wanted.Select(Quote)) + ")"));
        }

        url.Append("&order=start_date.desc,id.desc&limit=").Append(limit.ToString(CultureInfo.InvariantCulture));
        return await ReadRunsAsync(url.ToString(), "Listing the runs since " + JobTimestamps.Format(since), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Ends the stale runs of every job, or of the jobs named, as <see cref="JobStatus.Error"/>: the runs in progress
    /// whose heartbeat, or whose start when they have none, is older than <paramref name="olderThan"/> on the clock.
    /// The same recovery as <see cref="Job.RecoverStaleRunsAsync"/>: one conditional update per run, so two recoverers
    /// end a run once and a run that sends a heartbeat meanwhile is left alone.
    /// </summary>
    /// <param name="olderThan">How long since a run was last seen before it counts as stale; longer than zero.</param>
    /// <param name="names">The jobs whose runs to recover; null or empty for every job.</param>
    /// <param name="cancellationToken">Cancels the requests and any retry wait.</param>
    /// <returns>The runs this call ended, as recorded, oldest first; empty when there were none.</returns>
    /// <exception cref="ArgumentException">A name is empty, or <paramref name="olderThan"/> is not longer than zero; nothing has been sent.</exception>
    /// <exception cref="JobsApiException">The Jobs API answered with an error (such as a table without the <c>heartbeat_at</c> column), or could not be reached in time.</exception>
    public virtual Task<IReadOnlyList<JobRecord>> RecoverStaleRunsAsync(TimeSpan olderThan, IEnumerable<string>? names = null, CancellationToken cancellationToken = default)
    {
        var wanted = CheckNames(names, nameof(names));
        return StaleRuns.RecoverAsync(_api, wanted, olderThan, _time, _logger, cancellationToken);
    }

    /// <summary>The fleet from the nine-column table alone: three reads of at most <see cref="FallbackRunLimit"/> runs each.</summary>
    private async Task<IReadOnlyList<JobSummary>> ReadFallbackAsync(CancellationToken cancellationToken)
    {
        var limit = FallbackRunLimit.ToString(CultureInfo.InvariantCulture);
        var select = $"{_table}?select={RunColumns}";
        var newest = await ReadRunsAsync($"{select}&order=start_date.desc,id.desc&limit={limit}", "Reading the newest runs of every job", cancellationToken).ConfigureAwait(false);
        var successes = await ReadRunsAsync($"{select}&status=eq.success&order=start_date.desc,id.desc&limit={limit}", "Reading the newest successful runs of every job", cancellationToken).ConfigureAwait(false);
        var running = await ReadRunsAsync($"{select}&status=eq.in_progress&order=start_date.asc,id.asc&limit={limit}", "Reading the runs in progress of every job", cancellationToken).ConfigureAwait(false);

        var runs = new Dictionary<long, JobRecord>();
        foreach (var run in newest.Concat(successes).Concat(running))
        {
            runs[run.Id] = run;
        }

        return [.. runs.Values
            .GroupBy(r => r.Name, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(Summarize)];
    }

    /// <summary>What the jobs_fleet view computes, over the runs read.</summary>
    private static JobSummary Summarize(IGrouping<string, JobRecord> runs)
    {
        var latest = runs.OrderByDescending(r => r.StartDate).ThenByDescending(r => r.Id).First();
        var success = runs.Where(r => r.Status == JobStatus.Success).OrderByDescending(r => r.StartDate).ThenByDescending(r => r.Id).FirstOrDefault();
        var running = runs.Where(r => r.Status == JobStatus.InProgress).ToList();
        var failures = runs.Count(r => r.Status == JobStatus.Error && (success is null || r.StartDate > success.StartDate));
        return new JobSummary(
            runs.Key,
            latest,
            success?.StartDate,
            success?.EndDate,
            running.Count,
            running.Count == 0 ? null : running.Min(r => r.StartDate),
            null,
            failures);
    }

    private Task<IReadOnlyList<JobRecord>> ReadRunsAsync(string url, string operation, CancellationToken cancellationToken)
        => _api.GetArrayAsync(url, JobsJsonContext.Default.JobRecordArray, operation, static _ => true, cancellationToken);

    private static JobSummary ToSummary(FleetRow row) => new(
        row.Name!,
        new JobRecord(row.LastRunId, row.Name!, row.LastStartDate!.Value, row.LastEndDate, row.LastMessage, row.LastStatus, row.LastRecordsProcessed, row.LastSource ?? string.Empty, row.LastDestination ?? string.Empty),
        row.LastSuccessStartDate,
        row.LastSuccessEndDate,
        row.RunsInProgress,
        row.OldestInProgressStartDate,
        row.StalestHeartbeatAt,
        row.ConsecutiveFailures);

    /// <summary>PostgREST's answer for a relation it does not have (PGRST205; 42P01 before v12), or a bare 404 from a proxy.</summary>
    private static bool IsMissingView(JobsApiException e) => e.Status == 404 && e.ErrorCode is null or "PGRST205" or "42P01";

    private static List<string>? CheckNames(IEnumerable<string>? names, string paramName)
    {
        if (names is null)
        {
            return null;
        }

        var list = new List<string>();
        foreach (var name in names)
        {
            if (OptionsValidation.NameProblem(name) is { } problem)
            {
                throw new ArgumentException(problem, paramName);
            }

            if (!list.Contains(name, StringComparer.Ordinal))
            {
                list.Add(name);
            }
        }

        return list.Count == 0 ? null : list;
    }

    /// <summary>An item of a PostgREST <c>in.(…)</c> list: double-quoted, so that commas, parentheses and quotes stay in it.</summary>
    private static string Quote(string value) => "\"" + value.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
}
