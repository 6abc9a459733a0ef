using System.Globalization;

namespace JobUtil;

/// <summary>
/// The timestamps of a Jobs API as text: how JobUtil writes them (UTC, microseconds, <c>Z</c>) and which forms it
/// reads (what PostgREST and PostgreSQL print). The library's JSON, its query filters and the <c>jobutil</c> command
/// all use these two methods.
/// </summary>
public static class JobTimestamps
{
    // ISO 8601 with an offset (+05:30, +0530, +05 or Z) or none, 0 to 7 fractional digits, T or a space.
    private static readonly string[] Formats =
    [
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz",
        "yyyy-MM-dd HH:mm:ss.FFFFFFFzzz",
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzz",
        "yyyy-MM-dd HH:mm:ss.FFFFFFFzz",
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK",
        "yyyy-MM-dd HH:mm:ss.FFFFFFFK",
    ];

    /// <summary>
    /// <paramref name="value"/> as <c>yyyy-MM-ddTHH:mm:ss.ffffffZ</c>: in UTC, with the microseconds PostgreSQL keeps
    /// (finer ticks are cut), and nothing that needs escaping in a URL or JSON.
    /// </summary>
    /// <param name="value">The instant.</param>
    /// <returns>The text, such as <c>2026-11-30T08:15:00.123456Z</c>.</returns>
    public static string Format(DateTimeOffset value)
        => value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    /// <summary>
    /// Reads an ISO 8601 timestamp as PostgREST or PostgreSQL prints it: <c>T</c> or a space between date and time,
    /// 0 to 7 fractional digits, and an offset (<c>Z</c>, <c>+05:30</c>, <c>+0530</c>, <c>-05</c>) or none. A timestamp
    /// without an offset (a <c>timestamp without time zone</c> column) is UTC, the zone JobUtil writes in, never this
    /// machine's local zone: a watermark must not move with the ETL host's time zone.
    /// </summary>
    /// <param name="text">The text; surrounding white space is ignored.</param>
    /// <param name="value">The instant read; <see langword="default"/> when the text is not a timestamp.</param>
    /// <returns>Whether <paramref name="text"/> is a timestamp.</returns>
    public static bool TryParse(string? text, out DateTimeOffset value)
        => DateTimeOffset.TryParseExact(text, Formats, CultureInfo.InvariantCulture, DateTimeStyles.AllowWhiteSpaces | DateTimeStyles.AssumeUniversal, out value);
}
