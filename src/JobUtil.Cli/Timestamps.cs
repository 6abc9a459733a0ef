using System.Globalization;

namespace JobUtil.Cli;

/// <summary>
/// How <c>jobutil</c> writes and reads instants: unix seconds, or ISO 8601 by the library's rules
/// (<see cref="JobTimestamps"/>: written in UTC with microseconds; read in every form PostgREST prints, an offset-less
/// one as UTC).
/// </summary>
internal static class Timestamps
{
    /// <summary>Whole seconds, rounded down, so a script comparing <c>modified &gt;= since</c> never skips a record.</summary>
    public static string ToUnixSeconds(DateTimeOffset value)
        => value.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

    /// <summary><c>yyyy-MM-ddTHH:mm:ss.ffffffZ</c>: UTC with the microseconds PostgreSQL keeps.</summary>
    public static string ToIso(DateTimeOffset value) => JobTimestamps.Format(value);

    /// <summary>Reads unix seconds (<c>1718000000</c>) or an ISO 8601 timestamp (<see cref="JobTimestamps.TryParse"/>).</summary>
    public static DateTimeOffset? Parse(string text)
    {
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var seconds))
        {
            return seconds >= DateTimeOffset.MinValue.ToUnixTimeSeconds() && seconds <= DateTimeOffset.MaxValue.ToUnixTimeSeconds()
                ? DateTimeOffset.FromUnixTimeSeconds(seconds)
                : null;
        }

        return JobTimestamps.TryParse(text, out var parsed) ? parsed : null;
    }
}
