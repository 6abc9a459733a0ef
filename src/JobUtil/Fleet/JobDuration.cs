using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace JobUtil;

/// <summary>
/// The durations JobUtil accepts for thresholds such as a job's maximum age: a whole number with a unit
/// (<c>90s</c>, <c>45m</c>, <c>26h</c>, <c>7d</c>) or an ISO 8601 duration (<c>PT26H</c>, <c>P1DT2H</c>, <c>P2W</c>).
/// One set of rules, shared by the library, the health checks and the <c>jobutil</c> command.
/// </summary>
public static class JobDuration
{
    /// <summary>The accepted forms, as error messages show them.</summary>
    public const string AcceptedForms = "a whole number with a unit (90s, 45m, 26h, 7d) or an ISO 8601 duration (PT26H, P1DT2H, P2W)";

    // Days as the largest unit: months and years have no fixed length.
    private static readonly Regex Short = new(@"^(?<n>[0-9]{1,9})(?<unit>[smhd])$", RegexOptions.CultureInvariant);

    private static readonly Regex Iso = new(
        @"^P(?:(?<w>[0-9]{1,9})W)?(?:(?<d>[0-9]{1,9})D)?(?:T(?:(?<h>[0-9]{1,9})H)?(?:(?<m>[0-9]{1,9})M)?(?:(?<s>[0-9]{1,9}(?:[.,][0-9]{1,7})?)S)?)?$",
        RegexOptions.CultureInvariant);

    /// <summary>Parses a duration in one of the <see cref="AcceptedForms"/>; it must be longer than zero.</summary>
    /// <param name="text">The text, such as <c>26h</c> or <c>PT26H</c>.</param>
    /// <param name="value">The duration, when the text is valid.</param>
    /// <returns>Whether the text is a valid duration.</returns>
    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = default;
        if (text is null)
        {
            return false;
        }

        text = text.Trim();
        double seconds;
        var match = Short.Match(text);
        if (match.Success)
        {
            var n = double.Parse(match.Groups["n"].Value, CultureInfo.InvariantCulture);
            seconds = n * match.Groups["unit"].Value switch { "s" => 1, "m" => 60, "h" => 3600, _ => 86400 };
        }
        else
        {
            match = Iso.Match(text.ToUpperInvariant());
            if (!match.Success || text.EndsWith("T", StringComparison.OrdinalIgnoreCase) || text.Length < 3)
            {
                return false;
            }

            seconds = Number(match, "w") * 7 * 86400 + Number(match, "d") * 86400 + Number(match, "h") * 3600
                + Number(match, "m") * 60 + Number(match, "s");
        }

        if (seconds <= 0 || seconds > TimeSpan.MaxValue.TotalSeconds / 2)
        {
            return false;
        }

        value = TimeSpan.FromTicks((long)Math.Round(seconds * TimeSpan.TicksPerSecond));
        return value > TimeSpan.Zero;
    }

    /// <summary>Parses a duration in one of the <see cref="AcceptedForms"/>; it must be longer than zero.</summary>
    /// <param name="text">The text, such as <c>26h</c> or <c>PT26H</c>.</param>
    /// <returns>The duration.</returns>
    /// <exception cref="FormatException">The text is not a duration longer than zero; the message shows the accepted forms.</exception>
    public static TimeSpan Parse(string text)
        => TryParse(text, out var value)
            ? value
            : throw new FormatException($"'{text}' is not a duration: use {AcceptedForms}.");

    /// <summary>A duration for people to read, in its two largest units: <c>2d 3h</c>, <c>26m 5s</c>, <c>12s</c>.</summary>
    /// <param name="value">The duration; a negative one is shown with a minus sign.</param>
    /// <returns>The text.</returns>
    public static string Format(TimeSpan value)
    {
        var text = new StringBuilder();
        if (value < TimeSpan.Zero)
        {
            text.Append('-');
            value = value.Duration();
        }

        var parts = new (long Amount, string Unit)[]
        {
            ((long)value.TotalDays, "d"), (value.Hours, "h"), (value.Minutes, "m"), (value.Seconds, "s"),
        };
        var first = Array.FindIndex(parts, p => p.Amount > 0);
        if (first < 0)
        {
            return text.Append(value.TotalMilliseconds >= 1 ? $"{(long)value.TotalMilliseconds}ms" : "0s").ToString();
        }

        text.Append(parts[first].Amount.ToString(CultureInfo.InvariantCulture)).Append(parts[first].Unit);
        if (first + 1 < parts.Length && parts[first + 1].Amount > 0)
        {
            text.Append(' ').Append(parts[first + 1].Amount.ToString(CultureInfo.InvariantCulture)).Append(parts[first + 1].Unit);
        }

        return text.ToString();
    }

    private static double Number(Match match, string group)
        => match.Groups[group].Success ? double.Parse(match.Groups[group].Value.Replace(',', '.'), CultureInfo.InvariantCulture) : 0;
}
