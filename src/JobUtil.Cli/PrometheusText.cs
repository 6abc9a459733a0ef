using System.Globalization;
using System.Text;

namespace JobUtil.Cli;

/// <summary>
/// The fleet in Prometheus's text exposition format (version 0.0.4), for node_exporter's textfile collector: one
/// gauge family per fact, each with <c># HELP</c> and <c># TYPE</c>, one sample per job labelled <c>job</c>. A job
/// without the fact (no success yet, a run still in progress) has no sample in that family.
/// </summary>
internal static class PrometheusText
{
    public static string Format(IReadOnlyList<JobSummary> jobs)
    {
        var text = new StringBuilder();
        Family(text, jobs, "jobutil_last_success_timestamp_seconds", "Unix time at which the job's latest successful run ended.",
            j => Seconds(j.LastSuccess));
        Family(text, jobs, "jobutil_last_run_timestamp_seconds", "Unix time at which the job's newest run started.",
            j => Seconds(j.LastRun.StartDate));
        Family(text, jobs, "jobutil_last_run_duration_seconds", "Duration of the job's newest run, once it has ended.",
            j => j.LastRun.Duration?.TotalSeconds);
        Family(text, jobs, "jobutil_last_records_processed", "Records processed by the job's newest run, when it recorded a count.",
            j => j.LastRun.RecordsProcessed);
        Family(text, jobs, "jobutil_runs_in_progress", "Runs of the job that are in progress.",
            j => j.RunsInProgress);
        Family(text, jobs, "jobutil_consecutive_failures", "Runs of the job that failed since its latest success.",
            j => j.ConsecutiveFailures);
        return text.ToString();
    }

    private static void Family(StringBuilder text, IReadOnlyList<JobSummary> jobs, string name, string help, Func<JobSummary, double?> value)
    {
        text.Append("# HELP ").Append(name).Append(' ').Append(EscapeHelp(help)).Append('\n');
        text.Append("# TYPE ").Append(name).Append(" gauge\n");
        foreach (var job in jobs)
        {
            if (value(job) is { } v)
            {
                text.Append(name).Append("{job=\"").Append(EscapeLabel(job.Name)).Append("\"} ")
                    .Append(v.ToString("R", CultureInfo.InvariantCulture)).Append('\n');
            }
        }
    }

    private static double? Seconds(DateTimeOffset? value)
        => value is { } v ? (v.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / (double)TimeSpan.TicksPerSecond : null;

    /// <summary>A label value: backslash, double quote and line feed are escaped.</summary>
    internal static string EscapeLabel(string value) => value.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n");

    /// <summary>HELP text: backslash and line feed are escaped.</summary>
    private static string EscapeHelp(string value) => value.Replace("\\", "\\\\").Replace("\n", "\\n");
}
