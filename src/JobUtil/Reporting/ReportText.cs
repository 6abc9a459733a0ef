using System.Globalization;
using System.Text;

namespace JobUtil.Reporting;

/// <summary>How the report writes values: escaped text, UTC times, durations and counts, all culture-invariant.</summary>
internal static class ReportText
{
    /// <summary>
    /// Appends <paramref name="value"/> HTML-escaped: safe as element text and inside a double- or single-quoted
    /// attribute value, so no value from the data can open a tag, end an attribute or start an entity.
    /// </summary>
    public static StringBuilder Text(this StringBuilder html, string value)
    {
        foreach (var c in value)
        {
            switch (c)
            {
                case '&': html.Append("&amp;"); break;
                case '<': html.Append("&lt;"); break;
                case '>': html.Append("&gt;"); break;
                case '"': html.Append("&quot;"); break;
                case '\'': html.Append("&#39;"); break;
                default: html.Append(c); break;
            }
        }

        return html;
    }

    /// <summary>A time as ISO 8601 in UTC to the second, such as <c>2026-11-30T06:00:00Z</c>: what the page's script reads.</summary>
    public static string Iso(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>A time as people read it, in UTC: <c>2026-11-30 06:00:00 UTC</c>.</summary>
    public static string Utc(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    /// <summary>A number of seconds as a duration: <c>20ms</c>, <c>4.2s</c>, <c>12s</c>, <c>3m 05s</c>, <c>1h 02m</c>, <c>2d 04h</c>.</summary>
    public static string Seconds(double seconds)
    {
        var inv = CultureInfo.InvariantCulture;
        if (seconds < 1)
        {
            return (seconds * 1000).ToString("0", inv) + "ms";
        }

        if (seconds < 10)
        {
            return seconds.ToString("0.#", inv) + "s";
        }

        var t = TimeSpan.FromSeconds(Math.Round(seconds));
        return t.TotalDays >= 1 ? string.Format(inv, "{0}d {1:00}h", (int)t.TotalDays, t.Hours)
            : t.TotalHours >= 1 ? string.Format(inv, "{0}h {1:00}m", t.Hours, t.Minutes)
            : t.TotalMinutes >= 1 ? string.Format(inv, "{0}m {1:00}s", t.Minutes, t.Seconds)
            : string.Format(inv, "{0}s", t.Seconds);
    }

    /// <summary>A count with thousands separators: <c>12,345</c>.</summary>
    public static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>A percentage of the timeline's width, for an SVG coordinate.</summary>
    public static string Percent(double value) => value.ToString("0.###", CultureInfo.InvariantCulture) + "%";
}
