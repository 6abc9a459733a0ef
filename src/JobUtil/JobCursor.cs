using System.Globalization;
using JobUtil.Internal;

namespace JobUtil;

/// <summary>
/// Cursors: the position a successful run reached in its source, stored as text with its outcome and read back by the
/// next run (<see cref="Job.LastCursorAsync"/>). These helpers write and read the two common kinds, a timestamp and an
/// integer, so that every process and the <c>jobutil</c> command agree on their text; any other position (a log
/// sequence number, a page token) is the caller's own string.
/// </summary>
/// <remarks>
/// A cursor is at most <see cref="MaxLength"/> bytes of UTF-8 and not empty. As in a message, each NUL is stored as
/// U+FFFD (PostgreSQL's <c>text</c> cannot hold NUL), so a position that may contain NUL should be encoded (base64, say).
/// </remarks>
public static class JobCursor
{
    /// <summary>The longest cursor a run records: 4096 bytes of UTF-8. A longer one is an <see cref="ArgumentException"/> before anything is sent.</summary>
    public const int MaxLength = RunRules.MaxCursorBytes;

    /// <summary>
    /// A timestamp as a cursor: UTC, with the microseconds PostgreSQL keeps (finer ticks are cut, so the next run reads
    /// from at or just before it, never after), such as <c>2026-11-30T08:15:00.123456Z</c>.
    /// </summary>
    /// <param name="value">The instant, typically the greatest <c>updated_at</c> the run read from its source.</param>
    /// <returns>The cursor text.</returns>
    public static string FromTimestamp(DateTimeOffset value) => JobTimestamps.Format(value);

    /// <summary>Reads a cursor written by <see cref="FromTimestamp"/> (or any ISO 8601 timestamp <see cref="JobTimestamps.TryParse"/> reads), in UTC.</summary>
    /// <param name="cursor">The cursor; <see langword="null"/> when there is none.</param>
    /// <returns>The instant with offset zero, or <see langword="null"/> when <paramref name="cursor"/> is null.</returns>
    /// <exception cref="FormatException"><paramref name="cursor"/> is not a timestamp.</exception>
    public static DateTimeOffset? ToTimestamp(string? cursor)
    {
        if (cursor is null)
        {
            return null;
        }

        return JobTimestamps.TryParse(cursor, out var value)
            ? value.ToUniversalTime()
            : throw new FormatException($"The cursor \"{Excerpt(cursor)}\" is not an ISO 8601 timestamp (JobCursor.FromTimestamp writes one such as 2026-11-30T08:15:00.123456Z).");
    }

    /// <summary>An integer as a cursor (an id, an offset, a sequence number), in invariant digits such as <c>-42</c>.</summary>
    /// <param name="value">The position.</param>
    /// <returns>The cursor text.</returns>
    public static string FromInt64(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>Reads a cursor written by <see cref="FromInt64"/>.</summary>
    /// <param name="cursor">The cursor; <see langword="null"/> when there is none.</param>
    /// <returns>The integer, or <see langword="null"/> when <paramref name="cursor"/> is null.</returns>
    /// <exception cref="FormatException"><paramref name="cursor"/> is not an integer from <see cref="long.MinValue"/> to <see cref="long.MaxValue"/>.</exception>
    public static long? ToInt64(string? cursor)
    {
        if (cursor is null)
        {
            return null;
        }

        return long.TryParse(cursor, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new FormatException($"The cursor \"{Excerpt(cursor)}\" is not a 64-bit integer (JobCursor.FromInt64 writes one such as 42).");
    }

    private static string Excerpt(string cursor) => cursor.Length <= 100 ? cursor : cursor.Substring(0, 100) + "…";
}
