using System.Text.Json.Serialization;

namespace JobUtil.Internal;

/// <summary>The body of the POST that starts a run. <c>end_date</c> is sent as an explicit null, as the original client did.</summary>
internal sealed class NewRun(string name, DateTimeOffset startDate, string source, string destination)
{
    public string Name { get; } = name;

    [JsonConverter(typeof(TimestampJsonConverter))]
    public DateTimeOffset StartDate { get; } = startDate;

    public DateTimeOffset? EndDate => null;

    public JobStatus Status => JobStatus.InProgress;

    public string Source { get; } = source;

    public string Destination { get; } = destination;
}

/// <summary>The body of the PATCH that records an outcome. <c>records_processed</c> and <c>message</c> are sent only when given.</summary>
internal sealed record RunUpdate(
    [property: JsonConverter(typeof(TimestampJsonConverter))] DateTimeOffset EndDate,
    JobStatus Status,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? RecordsProcessed,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Message);

/// <summary>The one column the watermark query selects; nullable so that a row without it is caught, not read as year 1.</summary>
internal sealed record WatermarkRow(DateTimeOffset? StartDate);

/// <summary>
/// What a start has done so far, shared between its attempts and the clean-up after it: whether a row may have been
/// committed although no attempt saw it (then a failed start looks it up and ends it).
/// </summary>
internal sealed class StartProgress
{
    public bool MayHaveCommitted { get; set; }
}
