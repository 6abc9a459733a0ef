using System.Text.Json.Serialization;

namespace JobUtil.Internal;

/// <summary>
/// The one serializer context: snake_case names, source-generated, so no reflection is used (AOT and trim safe).
/// </summary>
/// <remarks>
/// Numbers are also read from strings: a table set up by someone else may store the count as <c>text</c> or the id as
/// <c>numeric</c> (which PostgREST may render as a string), and such a row is still unambiguous.
/// </remarks>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    NumberHandling = JsonNumberHandling.AllowReadingFromString,
    Converters = [typeof(TimestampJsonConverter)])]
[JsonSerializable(typeof(JobRecord[]))]
[JsonSerializable(typeof(WatermarkRow[]))]
[JsonSerializable(typeof(CursorRow[]))]
[JsonSerializable(typeof(NewRun))]
[JsonSerializable(typeof(RunUpdate))]
[JsonSerializable(typeof(HeartbeatUpdate))]
[JsonSerializable(typeof(StaleRunRow[]))]
internal sealed partial class JobsJsonContext : JsonSerializerContext
{
}
