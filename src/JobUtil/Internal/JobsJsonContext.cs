using System.Text.Json.Serialization;

namespace JobUtil.Internal;

/// <summary>
/// The one serializer context: snake_case names, source-generated, so no reflection is used (AOT and trim safe).
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    Converters = [typeof(TimestampJsonConverter)])]
[JsonSerializable(typeof(JobRecord[]))]
[JsonSerializable(typeof(WatermarkRow[]))]
[JsonSerializable(typeof(NewRun))]
[JsonSerializable(typeof(RunUpdate))]
internal sealed partial class JobsJsonContext : JsonSerializerContext
{
}
