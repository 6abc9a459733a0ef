using System.Globalization;
using JobUtil.Internal;

namespace JobUtil.Cli;

/// <summary>How <c>jobutil</c> writes and reads instants: unix seconds, or ISO 8601 in UTC with microseconds.</summary>
internal static class Timestamps
{
    /// <summary>Whole seconds, rounded down, so a script comparing <c>modified &gt;= since</c> never skips a record.</summary>
    public static string ToUnixSeconds(DateTimeOffset value)
        => value.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

    public static string ToIso(DateTimeOffset value) => TimestampJsonConverter.Format(value);

    /// <summary>Reads unix seconds (<c>1718000000</c>) or an ISO 8601 timestamp with an offset or <c>Z</c>.</summary>
    public static DateTimeOffset? Parse(string text)
    {
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var seconds))
        {
            return seconds >= DateTimeOffset.MinValue.ToUnixTimeSeconds() && seconds <= DateTimeOffset.MaxValue.ToUnixTimeSeconds()
                ? DateTimeOffset.FromUnixTimeSeconds(seconds)
                : null;
        }

        return TimestampJsonConverter.Parse(text);
    }
}
