using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace JobUtil.Benchmarks.Baseline;

/// <summary>The baseline's source-generated serializer context, snake_case like PostgREST's columns.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(RawWatermarkRow[]))]
[JsonSerializable(typeof(RawJobRow[]))]
[JsonSerializable(typeof(RawNewRun))]
[JsonSerializable(typeof(RawRunUpdate))]
internal sealed partial class RawJsonContext : JsonSerializerContext
{
}

internal sealed class RawWatermarkRow
{
    public DateTimeOffset StartDate { get; init; }
}

public sealed class RawJobRow
{
    public long Id { get; init; }

    public string Name { get; init; } = string.Empty;

    public DateTimeOffset StartDate { get; init; }

    public DateTimeOffset? EndDate { get; init; }

    public string? Message { get; init; }

    public string Status { get; init; } = string.Empty;

    public long? RecordsProcessed { get; init; }

    public string Source { get; init; } = string.Empty;

    public string Destination { get; init; } = string.Empty;
}

/// <summary>The POST body, byte for byte what the SDK sends (explicit <c>end_date: null</c>, UTC microseconds).</summary>
internal sealed class RawNewRun
{
    public required string Name { get; init; }

    [JsonConverter(typeof(UtcMicrosecondsConverter))]
    public required DateTimeOffset StartDate { get; init; }

    public DateTimeOffset? EndDate => null;

    public string Status => "in_progress";

    public required string Source { get; init; }

    public required string Destination { get; init; }
}

/// <summary>The PATCH body; a count or message that is not given is not sent.</summary>
internal sealed class RawRunUpdate
{
    [JsonConverter(typeof(UtcMicrosecondsConverter))]
    public required DateTimeOffset EndDate { get; init; }

    public required string Status { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? RecordsProcessed { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Message { get; init; }
}

/// <summary>Writes <c>yyyy-MM-ddTHH:mm:ss.ffffffZ</c> without an intermediate string.</summary>
internal sealed class UtcMicrosecondsConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        => reader.GetDateTimeOffset();

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options)
    {
        Span<char> text = stackalloc char[27];
        value.UtcDateTime.TryFormat(text, out var written, "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
        writer.WriteStringValue(text[..written]);
    }
}
