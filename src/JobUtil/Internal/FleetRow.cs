using System.Text.Json.Serialization;

namespace JobUtil.Internal;

/// <summary>One row of the <c>jobs_fleet</c> view of db/schema.sql, as PostgREST renders it.</summary>
internal sealed record FleetRow(
    string? Name,
    long LastRunId,
    DateTimeOffset? LastStartDate,
    DateTimeOffset? LastEndDate,
    JobStatus LastStatus,
    string? LastMessage,
    long? LastRecordsProcessed,
    string? LastSource,
    string? LastDestination,
    long? LastSuccessId,
    DateTimeOffset? LastSuccessStartDate,
    DateTimeOffset? LastSuccessEndDate,
    int RunsInProgress,
    DateTimeOffset? OldestInProgressStartDate,
    DateTimeOffset? StalestHeartbeatAt,
    int ConsecutiveFailures)
{
    /// <summary>The columns the client asks for, so that a view with more columns still parses the same.</summary>
    public const string Columns =
        "name,last_run_id,last_start_date,last_end_date,last_status,last_message,last_records_processed,last_source,"
        + "last_destination,last_success_id,last_success_start_date,last_success_end_date,runs_in_progress,"
        + "oldest_in_progress_start_date,stalest_heartbeat_at,consecutive_failures";

    /// <summary>The view's <c>last_cursor</c>: the cursor of the job's latest success that stored one; asked for separately (see JobFleet).</summary>
    public string? LastCursor { get; init; }

    [JsonIgnore]
    public bool IsComplete => Name is not null && LastStartDate is not null && LastStatus.Value.Length > 0;
}

/// <summary>The serializer context of the fleet's rows: snake_case, source-generated.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    Converters = [typeof(TimestampJsonConverter)])]
[JsonSerializable(typeof(FleetRow[]))]
internal sealed partial class FleetJsonContext : JsonSerializerContext
{
}
