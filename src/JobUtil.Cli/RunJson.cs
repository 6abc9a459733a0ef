using System.Text;
using System.Text.Json;

namespace JobUtil.Cli;

/// <summary>
/// A run as <c>jobutil</c> prints it: one JSON line with the table's column names, in the table's order, timestamps
/// in UTC with microseconds. Written field by field, so the Native AOT binary needs no reflection.
/// </summary>
internal static class RunJson
{
    public static string Format(JobRecord run)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("id", run.Id);
            json.WriteString("name", run.Name);
            json.WriteString("start_date", Timestamps.ToIso(run.StartDate));
            WriteOrNull(json, "end_date", run.EndDate is { } end ? Timestamps.ToIso(end) : null);
            WriteOrNull(json, "message", run.Message);
            json.WriteString("status", run.Status.Value);
            if (run.RecordsProcessed is { } records)
            {
                json.WriteNumber("records_processed", records);
            }
            else
            {
                json.WriteNull("records_processed");
            }

            json.WriteString("source", run.Source);
            json.WriteString("destination", run.Destination);
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void WriteOrNull(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null)
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteString(name, value);
        }
    }
}
