using System.Globalization;

namespace JobUtil.Sample;

/// <summary>
/// Timestamps stored as fixed-width UTC text (<c>2024-03-01T02:00:00.000000Z</c>), so SQLite's text comparison
/// orders them correctly and <c>updated_at &gt;= cursor</c> is an index range. The same text as <see cref="JobCursor.FromTimestamp"/>.
/// </summary>
internal static class SqliteTimestamps
{
    private const string Format = "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'";

    public static string ToText(DateTimeOffset value) => value.UtcDateTime.ToString(Format, CultureInfo.InvariantCulture);

    public static DateTimeOffset FromText(string text)
        => DateTimeOffset.ParseExact(text, Format, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
}
