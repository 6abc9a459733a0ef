using System.Globalization;

namespace JobUtil.Cli;

/// <summary>How <c>jobutil</c> writes and reads instants: unix seconds, or ISO 8601 in UTC with microseconds.</summary>
internal static class Timestamps
{
    // ISO 8601 with any offset (or Z) and 0 to 7 fractional digits, with T or a space, as PostgreSQL prints them too.
    private static readonly string[] Formats =
    [
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz",
        "yyyy-MM-dd HH:mm:ss.FFFFFFFzzz",
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzz",
        "yyyy-MM-dd HH:mm:ss.FFFFFFFzz",
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK",
        "yyyy-MM-dd HH:mm:ss.FFFFFFFK",
    ];

    /// <summary>Whole seconds, rounded down, so a script comparing <c>modified &gt;= since</c> never skips a record.</summary>
    public static string ToUnixSeconds(DateTimeOffset value)
        => value.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

    /// <summary><c>yyyy-MM-ddTHH:mm:ss.ffffffZ</c>: UTC with the microseconds PostgreSQL keeps.</summary>
    public static string ToIso(DateTimeOffset value)
        => value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    /// <summary>Reads unix seconds (<c>1718000000</c>) or an ISO 8601 timestamp with an offset or <c>Z</c>.</summary>
    public static DateTimeOffset? Parse(string text)
    {
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var seconds))
        {
            return seconds >= DateTimeOffset.MinValue.ToUnixTimeSeconds() && seconds <= DateTimeOffset.MaxValue.ToUnixTimeSeconds()
                ? DateTimeOffset.FromUnixTimeSeconds(seconds)
                : null;
        }

        return DateTimeOffset.TryParseExact(text, Formats, CultureInfo.InvariantCulture, DateTimeStyles.AllowWhiteSpaces, out var parsed)
            ? parsed
            : null;
    }
}
