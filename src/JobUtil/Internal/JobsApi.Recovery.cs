using System.Globalization;
using System.Net.Http.Json;
using System.Text;

namespace JobUtil.Internal;

/// <summary>Heartbeats and the recovery of stale runs: conditional updates on <c>status=eq.in_progress</c>.</summary>
internal sealed partial class JobsApi
{
    /// <summary>
    /// Records that run <paramref name="id"/> is alive. Conditional on the run still being in progress, so a heartbeat
    /// never touches a run that has ended. <see langword="false"/> when it matched no run in progress.
    /// </summary>
    public Task<bool> HeartbeatAsync(long id, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var url = string.Concat(RunUrl(id), "&status=eq.in_progress");
        var operation = $"Recording a heartbeat of run {id.ToString(CultureInfo.InvariantCulture)}";
        return ExecuteAsync(
            operation,
            async ct =>
            {
                var rows = await SendAsync(Patch, url, JsonContent.Create(new HeartbeatUpdate(at), JobsJsonContext.Default.HeartbeatUpdate), JobsJsonContext.Default.JobRecordArray, operation, ct, OneRow("an array holding at most the one updated row", noneAllowed: true)).ConfigureAwait(false);
                return rows.Length == 1;
            },
            cancellationToken);
    }

    /// <summary>
    /// The runs in progress, of the jobs named (every job when null), whose heartbeat, or whose start when they have
    /// none, is before <paramref name="cutoff"/>; oldest first.
    /// </summary>
    public Task<IReadOnlyList<StaleRunRow>> FindStaleRunsAsync(IReadOnlyList<string>? names, DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        var url = new StringBuilder(_table)
            .Append("?select=id,name,start_date,heartbeat_at,host&status=eq.in_progress&")
            .Append(StaleFilter(cutoff));
        if (names is not null)
        {
            url.Append("&name=in.").Append(Encode("(" + string.Join(",", names.Select(QuoteListItem)) + ")"));
        }

        url.Append("&order=start_date.asc,id.asc");
        return GetArrayAsync(url.ToString(), JobsJsonContext.Default.StaleRunRowArray, "Looking for stale runs", static row => row.Name is not null && row.StartDate != default, cancellationToken);
    }

    /// <summary>
    /// Ends a stale run as error with one conditional PATCH: it matches only while the run is still in progress and
    /// still stale by <paramref name="cutoff"/>, so two recoverers end it once and a run that sent a heartbeat meanwhile
    /// is left alone. <see langword="null"/> when it matched nothing.
    /// </summary>
    public Task<JobRecord?> EndStaleRunAsync(StaleRunRow run, DateTimeOffset cutoff, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var url = string.Concat(RunUrl(run.Id), "&status=eq.in_progress&", StaleFilter(cutoff));
        var update = new RunUpdate(RunRules.EndDate(run.StartDate, now), JobStatus.Error, null, AbandonedMessage(run));
        var operation = $"Ending stale run {run.Id.ToString(CultureInfo.InvariantCulture)}";
        return ExecuteAsync(
            operation,
            async ct =>
            {
                var rows = await SendAsync(Patch, url, JsonContent.Create(update, JobsJsonContext.Default.RunUpdate), JobsJsonContext.Default.JobRecordArray, operation, ct, OneRow("an array holding at most the one updated row", noneAllowed: true)).ConfigureAwait(false);
                return rows.Length == 1 ? rows[0] : null;
            },
            cancellationToken);
    }

    /// <summary>The message a recovered run is ended with: when and where it was last seen, and by what.</summary>
    internal static string AbandonedMessage(StaleRunRow run)
    {
        var host = string.IsNullOrWhiteSpace(run.Host) ? "an unknown host" : run.Host;
        return run.HeartbeatAt is { } heartbeat
            ? $"abandoned: last seen {JobTimestamps.Format(heartbeat)} (its last heartbeat) on {host}"
            : $"abandoned: last seen {JobTimestamps.Format(run.StartDate)} (its start; it sent no heartbeat) on {host}";
    }

    /// <summary>Stale by <paramref name="cutoff"/>: a heartbeat before it, or no heartbeat and a start before it.</summary>
    private static string StaleFilter(DateTimeOffset cutoff)
    {
        var at = Encode(JobTimestamps.Format(cutoff));
        return $"or=(heartbeat_at.lt.{at},and(heartbeat_at.is.null,start_date.lt.{at}))";
    }

    private static string QuoteListItem(string value) => "\"" + value.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
}
