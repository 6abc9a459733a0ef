using System.Globalization;
using System.Text;

namespace JobUtil.Reporting;

/// <summary>
/// The report's drawings, as SVG written on the server: the time axis, each job's lane of run bars, and the
/// sparklines. Horizontal positions are percentages of the window, so the page needs no script to lay them out.
/// </summary>
internal static class ReportSvg
{
    /// <summary>The narrowest bar, as a percentage of the window, so that a one-second run can still be seen and hovered.</summary>
    private const double MinBarWidth = 0.15;

    /// <summary>Tick spacings for the axis, smallest first; the first that gives at most <see cref="MaxTicks"/> ticks wins.</summary>
    private static readonly TimeSpan[] TickSteps =
    [
        TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(30),
        TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(15), TimeSpan.FromMinutes(30),
        TimeSpan.FromHours(1), TimeSpan.FromHours(3), TimeSpan.FromHours(6), TimeSpan.FromHours(12),
        TimeSpan.FromDays(1), TimeSpan.FromDays(2), TimeSpan.FromDays(7), TimeSpan.FromDays(14), TimeSpan.FromDays(28),
    ];

    private const int MaxTicks = 12;

    /// <summary>How a run's status is drawn: the CSS class of its colour and fill pattern.</summary>
    private static string StatusClass(JobStatus status)
        => status == JobStatus.Success ? "s-success"
            : status == JobStatus.Error ? "s-error"
            : status == JobStatus.InProgress ? "s-running"
            : "s-other";

    /// <summary>The fill patterns that tell statuses apart without colour: error is hatched, in progress is striped.</summary>
    public static void AppendDefinitions(StringBuilder html) => html.Append(
        "<svg class=\"defs\" aria-hidden=\"true\" focusable=\"false\" width=\"0\" height=\"0\"><defs>" +
        "<pattern id=\"hatch-error\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">" +
        "<rect width=\"6\" height=\"6\" fill=\"#d55e00\"/><rect width=\"2.5\" height=\"6\" fill=\"#ffffff\" fill-opacity=\"0.6\"/></pattern>" +
        "<pattern id=\"stripe-running\" width=\"8\" height=\"4\" patternUnits=\"userSpaceOnUse\">" +
        "<rect width=\"8\" height=\"4\" fill=\"#0072b2\"/><rect width=\"8\" height=\"1.5\" fill=\"#ffffff\" fill-opacity=\"0.6\"/></pattern>" +
        "<pattern id=\"dots-other\" width=\"4\" height=\"4\" patternUnits=\"userSpaceOnUse\">" +
        "<rect width=\"4\" height=\"4\" fill=\"#777777\"/><circle cx=\"2\" cy=\"2\" r=\"1\" fill=\"#ffffff\"/></pattern>" +
        "</defs></svg>\n");

    /// <summary>A time in UTC that the page's script can switch to the viewer's local time.</summary>
    /// <param name="html">Where to write.</param>
    /// <param name="time">The time.</param>
    /// <param name="format"><c>full</c> for a date and time to the second, <c>tick</c> for an axis label.</param>
    public static void AppendTime(StringBuilder html, DateTimeOffset time, string format)
    {
        var iso = ReportText.Iso(time);
        html.Append("<time datetime=\"").Append(iso).Append("\" data-utc=\"").Append(iso).Append("\" data-fmt=\"").Append(format).Append("\">")
            .Text(ReportText.Utc(time)).Append("</time>");
    }

    public static void AppendLegend(StringBuilder html)
    {
        html.Append("<ul class=\"legend\" aria-label=\"Legend\">");
        AppendLegendItem(html, "s-success", "success", "solid");
        AppendLegendItem(html, "s-error", "error", "hatched, marked \u25BC above");
        AppendLegendItem(html, "s-running", "in progress", "striped, drawn up to now, marked \u25B6");
        AppendLegendItem(html, "s-other", "other status", "dotted");
        html.Append("<li>Hover or focus a bar (Tab, then \u2190 \u2192 within a lane) for the run's details.</li></ul>\n");
    }

    private static void AppendLegendItem(StringBuilder html, string cssClass, string label, string look)
        => html.Append("<li><svg class=\"swatch\" width=\"28\" height=\"14\" aria-hidden=\"true\"><rect class=\"").Append(cssClass)
            .Append("\" width=\"28\" height=\"14\" rx=\"2\"/></svg> ").Append(label).Append(" <span class=\"look\">(").Append(look).Append(")</span></li>");

    /// <summary>The UTC time axis above the lanes, with a tick at each whole step (whole days for long windows).</summary>
    public static void AppendAxis(StringBuilder html, JobRunsReport report)
    {
        var (ticks, format) = Ticks(report);
        html.Append("<svg class=\"track\" role=\"img\" aria-label=\"Time axis in UTC from ").Text(ReportText.Utc(report.WindowStart))
            .Append(" to ").Text(ReportText.Utc(report.WindowEnd)).Append("\">");
        foreach (var tick in ticks)
        {
            var position = Position(report, tick);
            var x = ReportText.Percent(position);
            var iso = ReportText.Iso(tick);
            // Labels sit centred on their tick, except at the edges, where they would spill out of the axis.
            var anchor = position < 4 ? "start" : position > 96 ? "end" : "middle";
            // Short labels: the date at midnight, the time of day otherwise.
            var label = tick.UtcDateTime.ToString(
                format == "second" ? "HH:mm:ss" : format == "day" || tick.UtcDateTime.TimeOfDay == TimeSpan.Zero ? "MMM d" : "HH:mm",
                CultureInfo.InvariantCulture);
            html.Append("<line class=\"tick\" x1=\"").Append(x).Append("\" x2=\"").Append(x).Append("\" y1=\"12\" y2=\"20\"/>")
                .Append("<text x=\"").Append(x).Append("\" y=\"10\" text-anchor=\"").Append(anchor).Append("\" data-utc=\"").Append(iso).Append("\" data-fmt=\"").Append(format).Append("\">")
                .Text(label).Append("</text>");
        }

        html.Append("</svg>");
    }

    /// <summary>
    /// The vertical lines of the axis's ticks, drawn once behind all the lanes rather than once in each (the style
    /// sheet lays this drawing over the lanes' timeline column).
    /// </summary>
    public static void AppendGrid(StringBuilder html, JobRunsReport report)
    {
        html.Append("<div class=\"grid\" aria-hidden=\"true\"><svg>");
        foreach (var tick in Ticks(report).Ticks)
        {
            var x = ReportText.Percent(Position(report, tick));
            html.Append("<line x1=\"").Append(x).Append("\" x2=\"").Append(x).Append("\" y1=\"0\" y2=\"100%\"/>");
        }

        html.Append("</svg></div>");
    }

    /// <summary>One job's lane: a bar per run from its start to its end (to now while in progress), clipped to the window.</summary>
    public static void AppendTrack(StringBuilder html, JobRunsReport report, JobRunsLane lane)
    {
        html.Append("<svg class=\"track\" role=\"group\" aria-label=\"Runs of ").Text(lane.JobName).Append("\">");

        foreach (var run in lane.Runs)
        {
            AppendBar(html, report, run);
        }

        html.Append("</svg>");
    }

    /// <summary>Whether a run shows in the window: runs that ended before it or started after it are not drawn.</summary>
    public static bool IsDrawn(JobRunsReport report, JobRecord run)
        => DrawnEnd(report, run) >= report.WindowStart && run.StartDate <= report.WindowEnd;

    /// <summary>Where a run's bar ends: at its end, or at the report's now while it is in progress.</summary>
    private static DateTimeOffset DrawnEnd(JobRunsReport report, JobRecord run)
        => run.EndDate ?? (report.GeneratedAt > run.StartDate ? report.GeneratedAt : run.StartDate);

    private static void AppendBar(StringBuilder html, JobRunsReport report, JobRecord run)
    {
        if (!IsDrawn(report, run))
        {
            return;
        }

        var left = Position(report, run.StartDate);
        var width = Math.Max(Position(report, DrawnEnd(report, run)) - left, MinBarWidth);
        left = Math.Min(left, 100 - width);

        // A bar holds only its place and its hooks; its details wait in the page's run details (RunDetailsJson) until
        // it is hovered or focused, and its height and corners come from the style sheet. A month of a fleet is ten
        // thousand bars, and every attribute of a bar costs load time.
        html.Append("<rect class=\"bar ").Append(StatusClass(run.Status)).Append("\" x=\"").Append(ReportText.Percent(left))
            .Append("\" width=\"").Append(ReportText.Percent(width)).Append("\" tabindex=\"0\" data-run-id=\"")
            .Append(run.Id.ToString(CultureInfo.InvariantCulture)).Append("\" data-status=\"").Text(run.Status.ToString()).Append("\"/>");

        // A mark beside the fill pattern, so a failed or running run stands out even when its bar is one pixel wide.
        if (run.Status == JobStatus.Error)
        {
            html.Append("<svg class=\"mark s-error-mark\" x=\"").Append(ReportText.Percent(left + (width / 2)))
                .Append("\" y=\"0\" width=\"1\" height=\"1\" overflow=\"visible\" aria-hidden=\"true\"><path d=\"M-4 0h8l-4 6z\"/></svg>");
        }
        else if (run.Status == JobStatus.InProgress)
        {
            html.Append("<svg class=\"mark s-running-mark\" x=\"").Append(ReportText.Percent(left + width))
                .Append("\" y=\"0\" width=\"1\" height=\"1\" overflow=\"visible\" aria-hidden=\"true\"><path d=\"M-6 7l6 7-6 7z\"/></svg>");
        }
    }

    /// <summary>
    /// A sparkline of one value per run, oldest to newest, from zero to the largest value, with the last value beside
    /// it; runs without the value (still running, or no count recorded) are left out.
    /// </summary>
    public static void AppendSparkline(StringBuilder html, JobRunsLane lane, string kind, Func<JobRecord, double?> value, Func<double, string> format)
    {
        var values = lane.Runs.Select(value).Where(v => v.HasValue).Select(v => v!.Value).ToList();
        html.Append("<div class=\"spark\" data-spark=\"").Append(kind).Append("\" data-points=\"")
            .Append(values.Count.ToString(CultureInfo.InvariantCulture)).Append("\">");
        if (values.Count == 0)
        {
            html.Append("<span class=\"last\">no data</span></div>");
            return;
        }

        var max = values.Max();
        var points = new StringBuilder();
        for (var i = 0; i < values.Count; i++)
        {
            // One value is drawn as a flat line across, two or more spread evenly from left to right.
            var y = max > 0 ? 22 - (values[i] / max * 20) : 22;
            var ys = y.ToString("0.##", CultureInfo.InvariantCulture);
            var x = values.Count == 1 ? 0 : i * 100.0 / (values.Count - 1);
            points.Append(x.ToString("0.##", CultureInfo.InvariantCulture)).Append(',').Append(ys).Append(' ');
            if (values.Count == 1)
            {
                points.Append("100,").Append(ys);
            }
        }

        html.Append("<svg viewBox=\"0 0 100 24\" preserveAspectRatio=\"none\" role=\"img\" aria-label=\"").Append(kind).Append(" per run, oldest to newest: ")
            .Append(values.Count.ToString(CultureInfo.InvariantCulture)).Append(values.Count == 1 ? " run" : " runs")
            .Append(", least ").Append(format(values.Min())).Append(", most ").Append(format(max)).Append(", last ").Append(format(values[values.Count - 1]))
            .Append("\"><polyline points=\"").Append(points.ToString().TrimEnd()).Append("\" vector-effect=\"non-scaling-stroke\"/></svg>")
            .Append("<span class=\"last\">last ").Append(format(values[values.Count - 1])).Append("</span><span class=\"last\">most ").Append(format(max)).Append("</span></div>");
    }

    private static double Position(JobRunsReport report, DateTimeOffset time)
    {
        var fraction = (time - report.WindowStart).TotalMilliseconds / (report.WindowEnd - report.WindowStart).TotalMilliseconds;
        return Math.Max(0, Math.Min(100, fraction * 100));
    }

    private static (List<DateTimeOffset> Ticks, string Format) Ticks(JobRunsReport report)
    {
        var span = report.WindowEnd - report.WindowStart;
        var step = TickSteps.FirstOrDefault(s => span.Ticks / s.Ticks <= MaxTicks);
        if (step == default)
        {
            step = TimeSpan.FromTicks(span.Ticks / MaxTicks);
        }

        // Ticks fall on whole multiples of the step since 0001-01-01 UTC: whole hours, midnights for days.
        var startTicks = report.WindowStart.UtcTicks;
        var first = ((startTicks + step.Ticks - 1) / step.Ticks) * step.Ticks;
        var ticks = new List<DateTimeOffset>();
        for (var t = first; t <= report.WindowEnd.UtcTicks; t += step.Ticks)
        {
            ticks.Add(new DateTimeOffset(t, TimeSpan.Zero));
        }

        return (ticks, step >= TimeSpan.FromDays(1) ? "day" : step < TimeSpan.FromMinutes(1) ? "second" : "tick");
    }
}
