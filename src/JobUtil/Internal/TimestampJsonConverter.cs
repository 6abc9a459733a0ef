using System.Text.Json;
using System.Text.Json.Serialization;

namespace JobUtil.Internal;

/// <summary>
/// Reads and writes the JSON timestamps of the Jobs API by the rules of <see cref="JobTimestamps"/>: every form
/// PostgREST and PostgreSQL print (an offset-less one as UTC), written as UTC with microseconds and a <c>Z</c>.
/// </summary>
internal sealed class TimestampJsonConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new JsonException($"Expected a timestamp string, found {reader.TokenType}.");
        }

        var text = reader.GetString()!;
        return JobTimestamps.TryParse(text, out var parsed) ? parsed : throw new JsonException($"'{text}' is not a timestamp.");
    }

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options)
        => writer.WriteStringValue(JobTimestamps.Format(value));
}
