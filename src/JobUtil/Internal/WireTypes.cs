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

    /// <summary>The machine that runs the run; sent only with heartbeats on, so the nine-column table keeps working otherwise.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Host { get; init; }

    /// <summary>The first heartbeat (the start date); sent only with heartbeats on.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateTimeOffset? HeartbeatAt { get; init; }

    /// <summary>The start's own key (a fresh uuid), sent only to a table that has the <c>run_key</c> column.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Guid? RunKey { get; init; }

    /// <summary>This body with a run key.</summary>
    public NewRun WithKey(Guid key) => new(Name, StartDate, Source, Destination) { Host = Host, HeartbeatAt = HeartbeatAt, RunKey = key };

    /// <summary>This body without a run key, starting at <paramref name="startDate"/> (and its first heartbeat then, if it sends one).</summary>
    public NewRun WithoutKey(DateTimeOffset startDate)
        => new(Name, startDate, Source, Destination) { Host = Host, HeartbeatAt = HeartbeatAt is null ? null : startDate };
}

/// <summary>The body of a heartbeat PATCH.</summary>
internal sealed record HeartbeatUpdate([property: JsonConverter(typeof(TimestampJsonConverter))] DateTimeOffset HeartbeatAt);

/// <summary>A run in progress as recovery reads it: the nine columns, its last heartbeat and its host.</summary>
internal sealed record StaleRunRow(long Id, string? Name, DateTimeOffset StartDate, DateTimeOffset? HeartbeatAt, string? Host);

/// <summary>The body of the PATCH that records an outcome. <c>records_processed</c> and <c>message</c> are sent only when given.</summary>
internal sealed record RunUpdate(
    [property: JsonConverter(typeof(TimestampJsonConverter))] DateTimeOffset EndDate,
    JobStatus Status,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? RecordsProcessed,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Message);

/// <summary>The one column the watermark query selects; nullable so that a row without it is caught, not read as year 1.</summary>
internal sealed record WatermarkRow(DateTimeOffset? StartDate);

/// <summary>The one column the cursor query selects; the query asks only for rows where it is not null.</summary>
internal sealed record CursorRow(string? Cursor);

/// <summary>
/// What a start has done so far, shared between its attempts and the clean-up after it: whether a row may have been
/// committed although no attempt saw it (then a failed start looks it up and ends it).
/// </summary>
internal sealed class StartProgress
{
    public bool MayHaveCommitted { get; set; }

    /// <summary>The body this start sends (with its key, or without one to a table that has no run_key column).</summary>
    public NewRun? Sent { get; set; }

    /// <summary>Why the start's row, if it was committed, cannot be told from another start's: nothing may be ended for it.</summary>
    public JobsApiException? Unidentified { get; set; }
}
