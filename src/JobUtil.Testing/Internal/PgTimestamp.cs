using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace JobUtil.Testing.Internal;

/// <summary>
/// <c>timestamptz</c> as PostgreSQL reads and writes it: input in the ISO forms clients send (with or without an offset,
/// any number of fractional digits, rounded to microseconds), output as <c>json</c> renders it and as error details print it.
/// </summary>
internal static partial class PgTimestamp
{
    private const long TicksPerMicrosecond = TimeSpan.TicksPerMillisecond / 1000;

    /// <summary>2000-01-01T00:00:00Z, from which PostgreSQL counts its timestamps.</summary>
    private static readonly long PostgresEpochTicks = new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc).Ticks;

    [GeneratedRegex(
        @"^\s*(?<y>\d{4})-(?<mo>\d{1,2})-(?<d>\d{1,2})(?:(?:T|t|\s+)(?<h>\d{1,2}):(?<mi>\d{2})(?::(?<s>\d{2})(?:\.(?<f>\d+))?)?)?\s*(?<z>Z|z|UTC|[+-]\d{1,2}(?::?\d{2}(?::?\d{2})?)?)?\s*$",
        RegexOptions.CultureInvariant)]
    private static partial Regex Iso();

    /// <summary>Parses a <c>timestamptz</c> input; a value without an offset is in <paramref name="zone"/>.</summary>
    public static bool TryParse(string text, TimeZoneInfo zone, out DateTimeOffset value) => TryParse(text, zone, out value, out _);

    /// <summary>As <see cref="TryParse(string, TimeZoneInfo, out DateTimeOffset)"/>; <paramref name="outOfRange"/> tells a well-formed value with an impossible field (22008) from a malformed one (22007).</summary>
    public static bool TryParse(string text, TimeZoneInfo zone, out DateTimeOffset value, out bool outOfRange)
        => TryParse(text, zone, withoutTimeZone: false, out value, out outOfRange);

    /// <summary>
    /// As <see cref="TryParse(string, TimeZoneInfo, out DateTimeOffset, out bool)"/>; with <paramref name="withoutTimeZone"/>,
    /// as <c>timestamp</c> (without time zone) reads it: any offset is ignored, and the wall time is returned with offset zero.
    /// </summary>
    public static bool TryParse(string text, TimeZoneInfo zone, bool withoutTimeZone, out DateTimeOffset value, out bool outOfRange)
    {
        value = default;
        outOfRange = false;
        var m = Iso().Match(text);
        if (!m.Success)
        {
            return false;
        }

        try
        {
            var year = Int(m, "y");
            var month = Int(m, "mo");
            var day = Int(m, "d");
            var hour = m.Groups["h"].Success ? Int(m, "h") : 0;
            var minute = m.Groups["mi"].Success ? Int(m, "mi") : 0;
            var second = m.Groups["s"].Success ? Int(m, "s") : 0;
            if (hour > 24 || (hour == 24 && (minute != 0 || second != 0)) || minute > 59 || second > 60)
            {
                outOfRange = true;
                return false;
            }

            var micros = m.Groups["f"].Success ? RoundMicroseconds(m.Groups["f"].Value) : 0L;
            var local = new DateTime(year, month, day, 0, 0, 0, DateTimeKind.Unspecified)
                .AddHours(hour).AddMinutes(minute).AddSeconds(second).AddTicks(micros * TicksPerMicrosecond);

            TimeSpan offset;
            if (withoutTimeZone)
            {
                value = new DateTimeOffset(local, TimeSpan.Zero);
                return true;
            }

            if (!m.Groups["z"].Success)
            {
                offset = zone.GetUtcOffset(local);
            }
            else
            {
                var z = m.Groups["z"].Value;
                if (z is "Z" or "z" or "UTC")
                {
                    offset = TimeSpan.Zero;
                }
                else
                {
                    var sign = z[0] == '-' ? -1 : 1;
                    var digits = z[1..].Replace(":", string.Empty, StringComparison.Ordinal);
                    var hoursLength = digits.Length <= 2 ? digits.Length : digits.Length <= 4 ? digits.Length - 2 : digits.Length - 4;
                    var oh = int.Parse(digits[..hoursLength], CultureInfo.InvariantCulture);
                    var om = digits.Length > hoursLength ? int.Parse(digits.Substring(hoursLength, 2), CultureInfo.InvariantCulture) : 0;
                    if (oh > 15 || om > 59)
                    {
                        return false;
                    }

                    offset = TimeSpan.FromMinutes(sign * ((oh * 60) + om));
                }
            }

            value = new DateTimeOffset(local, offset);
            return true;
        }
        catch (ArgumentOutOfRangeException)
        {
            outOfRange = true;
            return false;
        }
    }

    /// <summary>Rounds a value to whole microseconds, as storing it in PostgreSQL does.</summary>
    public static DateTimeOffset Round(DateTimeOffset value)
    {
        var remainder = value.Ticks % TicksPerMicrosecond;
        if (remainder == 0)
        {
            return value;
        }

        var down = value.AddTicks(-remainder);
        return remainder * 2 >= TicksPerMicrosecond ? down.AddTicks(TicksPerMicrosecond) : down;
    }

    /// <summary>
    /// Rounds a value to <paramref name="precision"/> fractional digits (0 to 6), as storing it in a <c>timestamptz(p)</c>
    /// column does: PostgreSQL counts microseconds from 2000-01-01 and rounds half away from that epoch.
    /// </summary>
    public static DateTimeOffset Round(DateTimeOffset value, int precision)
    {
        var micro = Round(value);
        if (precision >= 6)
        {
            return micro;
        }

        var scale = (long)Math.Pow(10, 6 - precision);
        var sinceEpoch = (micro.UtcTicks - PostgresEpochTicks) / TicksPerMicrosecond;
        var rounded = sinceEpoch >= 0
            ? (sinceEpoch + (scale / 2)) / scale * scale
            : -(((-sinceEpoch) + (scale / 2)) / scale * scale);
        return new DateTimeOffset(PostgresEpochTicks + (rounded * TicksPerMicrosecond), TimeSpan.Zero).ToOffset(micro.Offset);
    }

    /// <summary>As <c>to_json</c> renders a <c>timestamp</c> without time zone: <c>2024-06-01T12:00:00.5</c>, the wall time and no offset.</summary>
    public static string ToJsonWithoutTimeZone(DateTimeOffset wallTime)
    {
        var text = new StringBuilder(wallTime.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture));
        AppendFraction(text, wallTime);
        return text.ToString();
    }

    /// <summary>As PostgreSQL prints a <c>timestamp</c> without time zone in text: <c>2024-06-01 12:00:00.5</c>.</summary>
    public static string ToTextWithoutTimeZone(DateTimeOffset wallTime)
    {
        var text = new StringBuilder(wallTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture));
        AppendFraction(text, wallTime);
        return text.ToString();
    }

    /// <summary>As <c>to_json</c> renders it: <c>2023-10-18T05:37:59.611-07:00</c> (fraction only when non-zero, trimmed).</summary>
    public static string ToJson(DateTimeOffset value, TimeZoneInfo zone)
    {
        var local = TimeZoneInfo.ConvertTime(value, zone);
        var text = new StringBuilder(local.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture));
        AppendFraction(text, local);
        AppendOffset(text, local.Offset, alwaysMinutes: true);
        return text.ToString();
    }

    /// <summary>As PostgreSQL prints it in text and error details: <c>2018-06-17 17:18:53+00</c>.</summary>
    public static string ToText(DateTimeOffset value, TimeZoneInfo zone)
    {
        var local = TimeZoneInfo.ConvertTime(value, zone);
        var text = new StringBuilder(local.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture));
        AppendFraction(text, local);
        AppendOffset(text, local.Offset, alwaysMinutes: false);
        return text.ToString();
    }

    private static void AppendFraction(StringBuilder text, DateTimeOffset local)
    {
        var micros = (local.Ticks % TimeSpan.TicksPerSecond) / TicksPerMicrosecond;
        if (micros != 0)
        {
            text.Append('.').Append(micros.ToString("000000", CultureInfo.InvariantCulture).TrimEnd('0'));
        }
    }

    private static void AppendOffset(StringBuilder text, TimeSpan offset, bool alwaysMinutes)
    {
        text.Append(offset < TimeSpan.Zero ? '-' : '+');
        var abs = offset.Duration();
        text.Append(abs.Hours.ToString("00", CultureInfo.InvariantCulture));
        if (alwaysMinutes || abs.Minutes != 0)
        {
            text.Append(':').Append(abs.Minutes.ToString("00", CultureInfo.InvariantCulture));
        }
    }

    /// <summary>Rounds a fraction's digits to microseconds, half to even as PostgreSQL's <c>rint</c> does.</summary>
    private static long RoundMicroseconds(string digits)
    {
        if (digits.Length <= 6)
        {
            return long.Parse(digits.PadRight(6, '0'), CultureInfo.InvariantCulture);
        }

        var fraction = decimal.Parse("0." + (digits.Length > 27 ? digits[..27] : digits), CultureInfo.InvariantCulture);
        return (long)Math.Round(fraction * 1_000_000m, MidpointRounding.ToEven);
    }

    private static int Int(Match m, string group) => int.Parse(m.Groups[group].Value, CultureInfo.InvariantCulture);
}
