using Microsoft.Extensions.Logging;

namespace JobUtil.Internal;

/// <summary>The one recovery of stale runs, shared by <see cref="Job"/> and <see cref="JobFleet"/>.</summary>
internal static class StaleRuns
{
    public static async Task<IReadOnlyList<JobRecord>> RecoverAsync(JobsApi api, IReadOnlyList<string>? names, TimeSpan olderThan, TimeProvider time, ILogger logger, CancellationToken cancellationToken)
    {
        if (OptionsValidation.StaleThresholdProblem(olderThan, nameof(olderThan)) is { } problem)
        {
            throw new ArgumentOutOfRangeException(nameof(olderThan), olderThan, problem);
        }

        var now = RunRules.Now(time);
        var cutoff = now - olderThan;
        IReadOnlyList<StaleRunRow> stale;
        try
        {
            stale = await api.FindStaleRunsAsync(names, cutoff, cancellationToken).ConfigureAwait(false);
        }
        catch (JobsApiException e) when (e.Status == 400 && e.ErrorCode is "42703" or "PGRST204" or "PGRST100")
        {
            throw new JobsApiException(
                e.Status,
                $"Looking for stale runs failed: the jobs table has no heartbeat_at or host column, which recovery reads. Add them with db/schema.sql (it adds them if they are not there). ({e.Message})",
                e.ErrorCode,
                e);
        }

        var ended = new List<JobRecord>();
        foreach (var run in stale)
        {
            // Matches nothing when another recoverer ended it first, or it sent a heartbeat meanwhile.
            if (await api.EndStaleRunAsync(run, cutoff, now, cancellationToken).ConfigureAwait(false) is { } record)
            {
                Log.StaleRunRecovered(logger, record.Name, record.Id, record.Message ?? string.Empty);
                Telemetry.RecordOutcome(record);
                ended.Add(record);
            }
        }

        return ended;
    }
}
