using System.Text.Json.Nodes;

namespace JobUtil.Cli;

/// <summary>
/// A run as <c>jobutil</c> prints it: one JSON line with the table's column names, in the table's order, timestamps
/// in UTC with microseconds. Built from primitive values only, so the Native AOT binary needs no reflection.
/// </summary>
internal static class RunJson
{
    public static string Format(JobRecord run) => new JsonObject
    {
        ["id"] = run.Id,
        ["name"] = run.Name,
        ["start_date"] = Timestamps.ToIso(run.StartDate),
        ["end_date"] = run.EndDate is { } end ? Timestamps.ToIso(end) : null,
        ["message"] = run.Message,
        ["status"] = run.Status.Value,
        ["records_processed"] = run.RecordsProcessed,
        ["source"] = run.Source,
        ["destination"] = run.Destination,
    }.ToJsonString();
}
