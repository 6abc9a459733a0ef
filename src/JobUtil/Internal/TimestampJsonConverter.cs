using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace JobUtil.Internal;

/// <summary>
/// Reads PostgreSQL/PostgREST timestamps: ISO 8601 with any offset and 0 to 6 fractional digits, and also the
/// forms PostgreSQL prints outside JSON (a space for <c>T</c>, an hour-only offset such as <c>-05</c>).
/// Writes UTC with microsecond precision and a <c>Z</c>, which needs no escaping anywhere.
/// </summary>
/// <remarks>
/// A timestamp without an offset (a <c>timestamp without time zone</c> column) is read as UTC, the zone JobUtil writes
/// in, never in this machine's local zone: a watermark must not move with the ETL host's time zone.
/// </remarks>
internal sealed class TimestampJsonConverter : JsonConverter<DateTimeOffset>
{
    private static readonly string[] Formats =
    [
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz",
        "yyyy-MM-dd HH:mm:ss.FFFFFFFzzz",
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzz",
        "yyyy-MM-dd HH:mm:ss.FFFFFFFzz",
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK",
        "yyyy-MM-dd HH:mm:ss.FFFFFFFK",
    ];

    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new JsonException($"Expected a timestamp string, found {reader.TokenType}.");
        }

        var text = reader.GetString()!;
        return Parse(text) ?? throw new JsonException($"'{text}' is not a timestamp.");
    }

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options)
        => writer.WriteStringValue(Format(value));

    internal static DateTimeOffset? Parse(string text)
        => DateTimeOffset.TryParseExact(text, Formats, CultureInfo.InvariantCulture, DateTimeStyles.AllowWhiteSpaces | DateTimeStyles.AssumeUniversal, out var parsed)
            ? parsed
            : null;

    /// <summary>Formats as <c>yyyy-MM-ddTHH:mm:ss.ffffffZ</c> in UTC.</summary>
    internal static string Format(DateTimeOffset value)
        => value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
}
