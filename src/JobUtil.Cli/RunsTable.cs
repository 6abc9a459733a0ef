using System.Globalization;

namespace JobUtil.Cli;

/// <summary>Runs as an aligned text table: one header line, one line per run, columns separated by two spaces.</summary>
internal static class RunsTable
{
    private static readonly string[] Header = ["ID", "STATUS", "START", "END", "DURATION", "RECORDS", "MESSAGE"];

    // Numbers read best right-aligned; the message is last so a long one never pushes the others.
    private static readonly bool[] RightAligned = [true, false, false, false, true, true, false];

    public static string Format(IReadOnlyList<JobRecord> runs)
    {
        var rows = new List<string[]>(runs.Count + 1) { Header };
        rows.AddRange(runs.Select(Cells));

        return TextTable.Format(rows, RightAligned);
    }

    private static string[] Cells(JobRecord run) =>
    [
        run.Id.ToString(CultureInfo.InvariantCulture),
        run.Status.Value,
        Instant(run.StartDate),
        run.EndDate is { } end ? Instant(end) : "-",
        run.Duration is { } duration ? Duration(duration) : "-",
        run.RecordsProcessed?.ToString(CultureInfo.InvariantCulture) ?? "-",
        OneLine(run.Message),
    ];

    private static string Instant(DateTimeOffset value)
        => value.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string Duration(TimeSpan value)
    {
        if (value < TimeSpan.Zero)
        {
            return "-" + Duration(value.Negate());
        }

        return value.TotalHours >= 1
            ? string.Create(CultureInfo.InvariantCulture, $"{(long)value.TotalHours}h{value.Minutes:00}m{value.Seconds:00}s")
            : value.TotalMinutes >= 1
                ? string.Create(CultureInfo.InvariantCulture, $"{value.Minutes}m{value.Seconds:00}s")
                : string.Create(CultureInfo.InvariantCulture, $"{value.TotalSeconds:0.000}s");
    }

    // A message with line breaks would break the table's one-run-per-line shape.
    private static string OneLine(string? message)
        => string.IsNullOrEmpty(message) ? string.Empty : string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries));
}
