using System.Text.Json.Serialization;
using JobUtil.Internal;

namespace JobUtil.Cli;

/// <summary>
/// What <c>jobutil</c> prints as JSON: a run as one line, with the table's snake_case column names and UTC timestamps.
/// Source-generated, so the Native AOT binary needs no reflection.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    WriteIndented = false,
    Converters = [typeof(TimestampJsonConverter)])]
[JsonSerializable(typeof(JobRecord))]
internal sealed partial class CliJsonContext : JsonSerializerContext
{
}
