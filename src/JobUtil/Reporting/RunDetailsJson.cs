using System.Text;
using System.Text.Json;

namespace JobUtil.Reporting;

/// <summary>
/// The details a bar shows on hover or focus, for every drawn run, as one JSON object in a data block
/// (<c>&lt;script type="application/json" id="run-details"&gt;</c>) that the page's script reads when first needed.
/// </summary>
/// <remarks>
/// The object maps each run's id to <c>[start, end or null, duration, records, message or null]</c>, times in
/// ISO 8601 UTC, duration and records already formatted. The writer's default encoder escapes every character that
/// is not printable ASCII and every character HTML treats specially (<c>&lt; &gt; &amp; ' "</c>), so no data can end
/// the block (<c>&lt;/script&gt;</c>), open a comment, or hold a line terminator such as U+2028.
/// </remarks>
internal static class RunDetailsJson
{
    public static void Append(StringBuilder html, JobRunsReport report)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            foreach (var run in report.Lanes.SelectMany(l => l.Runs).Where(r => ReportSvg.IsDrawn(report, r)))
            {
                json.WriteStartArray(run.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
                json.WriteStringValue(ReportText.Iso(run.StartDate));
                if (run.EndDate is { } end)
                {
                    json.WriteStringValue(ReportText.Iso(end));
                }
                else
                {
                    json.WriteNullValue();
                }

                json.WriteStringValue(run.Duration is { } d
                    ? ReportText.Seconds(d.TotalSeconds)
                    : ReportText.Seconds(Math.Max(0, (report.GeneratedAt - run.StartDate).TotalSeconds)) + " so far");
                json.WriteStringValue(run.RecordsProcessed is { } n ? ReportText.Count(n) : "not recorded");
                if (string.IsNullOrEmpty(run.Message))
                {
                    json.WriteNullValue();
                }
                else
                {
                    json.WriteStringValue(run.Message);
                }

                json.WriteEndArray();
            }

            json.WriteEndObject();
        }

        html.Append("<script type=\"application/json\" id=\"run-details\">")
            .Append(Encoding.UTF8.GetString(buffer.ToArray()))
            .Append("</script>\n");
    }
}
