using System.Globalization;

namespace JobUtil.Cli;

/// <summary>How <c>status</c> and <c>check</c> write jobs and their health for people.</summary>
internal static class FleetText
{
    private static readonly string[] Header = ["JOB", "LAST STATUS", "LAST START", "LAST SUCCESS", "AGE", "RUNNING", "HEALTH"];

    /// <summary>A health state as the CLI prints it: <c>healthy</c>, <c>running_too_long</c>, …</summary>
    public static string State(JobHealthState state) => state switch
    {
        JobHealthState.Healthy => "healthy",
        JobHealthState.Late => "late",
        JobHealthState.Failing => "failing",
        JobHealthState.RunningTooLong => "running_too_long",
        JobHealthState.Stale => "stale",
        JobHealthState.NeverSucceeded => "never_succeeded",
        JobHealthState.NeverRan => "never_ran",
        _ => state.ToString(),
    };

    /// <summary>An aligned table, one line per job.</summary>
    public static string Table(IReadOnlyList<JobHealth> jobs, DateTimeOffset now)
    {
        var rows = new List<string[]> { Header };
        rows.AddRange(jobs.Select(h => new[]
        {
            h.Name,
            h.Job?.LastRun.Status.Value ?? "-",
            Time(h.Job?.LastRun.StartDate),
            Time(h.Job?.LastSuccess),
            h.Job?.LastSuccess is { } success ? JobDuration.Format(now - success) : "-",
            (h.Job?.RunsInProgress ?? 0).ToString(CultureInfo.InvariantCulture),
            State(h.State),
        }));

        return TextTable.Format(rows);
    }

    public static string Time(DateTimeOffset? value)
        => value is { } v ? v.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture) : "-";
}
