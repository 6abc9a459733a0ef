using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace JobUtil.Reporting;

/// <summary>
/// Renders a <see cref="JobRunsReport"/> as one self-contained HTML page: the health table, then a timeline with one
/// lane per job and a trend of each job's duration and records per run.
/// </summary>
/// <remarks>
/// <para>
/// The page loads nothing: its style and its one small script are inline, so it works offline from a <c>file://</c>
/// URL or from any static web server. A Content-Security-Policy allows that style and that script only (by their
/// SHA-256 hashes) and forbids every other script, style, image, frame, form target and load. The runs' details
/// (times, duration, records, message) travel in a JSON data block that the script reads, escaped so that no value
/// can end the block.
/// </para>
/// <para>
/// Every value from the data (job names, messages, sources, destinations, statuses) is written as HTML-escaped text
/// or attribute values, never as markup or script. The bars are drawn on the server as SVG, so the page shows them
/// before any script runs; the script only shows a run's details on hover or keyboard focus and switches the times
/// between UTC and the viewer's local time.
/// </para>
/// <para>
/// Hooks for tests: each lane carries <c>data-job</c> with the job's name, and each run's bar carries
/// <c>data-run-id</c> and <c>data-status</c>.
/// </para>
/// </remarks>
public static class JobRunsReportHtml
{
    /// <summary>Renders the report as a complete HTML document.</summary>
    /// <param name="report">What to show.</param>
    /// <returns>The page, to save as a <c>.html</c> file (UTF-8).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="report"/> is null.</exception>
    public static string Render(JobRunsReport report)
    {
        if (report is null)
        {
            throw new ArgumentNullException(nameof(report));
        }

        var html = new StringBuilder(4096 + report.Lanes.Sum(l => 600 + (l.Runs.Count * 420)));
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        html.Append("<meta http-equiv=\"Content-Security-Policy\" content=\"")
            .Append("default-src 'none'; script-src '").Append(ScriptHash).Append("'; style-src '").Append(StyleHash)
            .Append("'; base-uri 'none'; form-action 'none'\">\n");
        html.Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        html.Append("<meta name=\"generator\" content=\"JobUtil\">\n");
        html.Append("<title>").Text(report.Title).Append("</title>\n");
        html.Append("<style>").Append(Style).Append("</style>\n</head>\n<body>\n");
        ReportSvg.AppendDefinitions(html);

        html.Append("<header>\n<h1>").Text(report.Title).Append("</h1>\n<p class=\"meta\">Generated ");
        ReportSvg.AppendTime(html, report.GeneratedAt, "full");
        html.Append(" &middot; window ");
        ReportSvg.AppendTime(html, report.WindowStart, "full");
        html.Append(" to ");
        ReportSvg.AppendTime(html, report.WindowEnd, "full");
        html.Append(" &middot; ").Append(report.Lanes.Count.ToString(CultureInfo.InvariantCulture)).Append(report.Lanes.Count == 1 ? " job" : " jobs")
            .Append(" &middot; ").Append(report.Lanes.Sum(l => l.Runs.Count).ToString(CultureInfo.InvariantCulture)).Append(" runs</p>\n");
        html.Append("<label class=\"zone\"><input type=\"checkbox\" id=\"local-time\"> Show times in my local time zone (all times are UTC otherwise)</label>\n</header>\n");

        AppendHealthTable(html, report);
        AppendTimeline(html, report);

        html.Append("<div id=\"tip\" role=\"tooltip\" hidden></div>\n");
        RunDetailsJson.Append(html, report);
        html.Append("<script>").Append(Script).Append("</script>\n</body>\n</html>\n");
        return html.ToString();
    }

    // An HTML parser reads CR LF as LF, and the browser hashes what it read: so the page carries the LF form, whatever
    // line endings the source was checked out with.
    private static readonly string Script = ReportAssets.Script.Replace("\r\n", "\n");

    private static readonly string Style = ReportAssets.Style.Replace("\r\n", "\n");

    /// <summary>The CSP source of the page's one script: the SHA-256 of its exact text, as <c>sha256-...</c>.</summary>
    private static readonly string ScriptHash = Sha256Source(Script);

    private static readonly string StyleHash = Sha256Source(Style);

    private static string Sha256Source(string text)
    {
        using var sha = SHA256.Create();
        return "sha256-" + Convert.ToBase64String(sha.ComputeHash(Encoding.UTF8.GetBytes(text)));
    }

    private static void AppendHealthTable(StringBuilder html, JobRunsReport report)
    {
        html.Append("<section aria-labelledby=\"health-heading\">\n<h2 id=\"health-heading\">Health</h2>\n");
        if (report.Lanes.Count == 0)
        {
            html.Append("<p>No jobs.</p>\n</section>\n");
            return;
        }

        html.Append("<table class=\"health\">\n<thead><tr><th scope=\"col\">State</th><th scope=\"col\">Job</th><th scope=\"col\">Reason</th><th scope=\"col\">Latest run</th></tr></thead>\n<tbody>\n");
        var rows = report.Lanes
            .Select((lane, index) => (lane, index))
            .OrderBy(x => x.lane.UrgencyRank)
            .ThenBy(x => x.lane.JobName, StringComparer.Ordinal);
        foreach (var (lane, index) in rows)
        {
            var state = HealthStyle.Of(lane.HealthState);
            html.Append("<tr data-health=\"").Text(lane.HealthState ?? "unknown")
                .Append("\" class=\"health-").Append(state.CssClass).Append("\">");
            html.Append("<td class=\"state\"><span class=\"icon\" aria-hidden=\"true\">").Append(state.Icon).Append("</span> ")
                .Text(lane.HealthState ?? "unknown").Append("</td>");
            html.Append("<th scope=\"row\"><a href=\"#lane-").Append(index.ToString(CultureInfo.InvariantCulture)).Append("\">").Text(lane.JobName).Append("</a></th>");
            html.Append("<td>").Text(lane.HealthReason ?? string.Empty).Append("</td><td>");
            if (lane.Runs.Count == 0)
            {
                html.Append("none in the window");
            }
            else
            {
                var latest = lane.Runs[lane.Runs.Count - 1];
                html.Text(latest.Status.ToString()).Append(", started ");
                ReportSvg.AppendTime(html, latest.StartDate, "full");
            }

            html.Append("</td></tr>\n");
        }

        html.Append("</tbody>\n</table>\n</section>\n");
    }

    private static void AppendTimeline(StringBuilder html, JobRunsReport report)
    {
        html.Append("<section aria-labelledby=\"timeline-heading\">\n<h2 id=\"timeline-heading\">Timeline</h2>\n");
        ReportSvg.AppendLegend(html);
        html.Append("<div class=\"timeline\">\n");
        ReportSvg.AppendGrid(html, report);
        html.Append("<div class=\"lane axis\"><div class=\"name\">Job</div>");
        ReportSvg.AppendAxis(html, report);
        html.Append("<div class=\"spark-head\">Duration / run</div><div class=\"spark-head\">Records / run</div></div>\n");

        for (var i = 0; i < report.Lanes.Count; i++)
        {
            var lane = report.Lanes[i];
            html.Append("<div class=\"lane\" id=\"lane-").Append(i.ToString(CultureInfo.InvariantCulture)).Append("\" data-job=\"").Text(lane.JobName).Append("\">");
            // The title shows in full what a narrow column cuts short.
            var route = lane.Runs.Count > 0 ? lane.Runs[lane.Runs.Count - 1] : null;
            html.Append("<div class=\"name\" title=\"").Text(route is null ? lane.JobName : $"{lane.JobName}: {route.Source} \u2192 {route.Destination}")
                .Append("\"><span class=\"job\">").Text(lane.JobName).Append("</span>");
            if (route is not null)
            {
                html.Append("<span class=\"route\">").Text(route.Source).Append(" &rarr; ").Text(route.Destination).Append("</span>");
            }

            html.Append("</div>");
            ReportSvg.AppendTrack(html, report, lane);
            ReportSvg.AppendSparkline(html, lane, "duration", r => r.Duration is { } d ? d.TotalSeconds : null, ReportText.Seconds);
            ReportSvg.AppendSparkline(html, lane, "records", r => r.RecordsProcessed, v => ReportText.Count((long)v));
            html.Append("</div>\n");
        }

        html.Append("</div>\n</section>\n");
    }
}
