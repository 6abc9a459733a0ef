using System.Globalization;
using System.Text;

namespace JobUtil.Testing.Internal;

/// <summary>
/// The <c>jobs_fleet</c> view of db/schema.sql: one row per job name, in name order, with its latest run, latest
/// success, runs in progress and failures since that success. Readable like a table; filters on <c>name</c> only.
/// <c>stalest_heartbeat_at</c> is the oldest heartbeat among the runs in progress (null when none sent one);
/// <c>last_cursor</c> the cursor of the latest successful run that stored one.
/// </summary>
internal static class FleetView
{
    public const string Name = "jobs_fleet";

    // The view is filtered on name only, a text column in every table layout.
    private static readonly IReadOnlyList<Column> NameColumns = Column.For(new FakeJobsApiOptions());

    private static readonly string[] Columns =
    [
        "name", "last_run_id", "last_start_date", "last_end_date", "last_status", "last_message", "last_records_processed",
        "last_source", "last_destination", "last_success_id", "last_success_start_date", "last_success_end_date",
        "runs_in_progress", "oldest_in_progress_start_date", "stalest_heartbeat_at", "consecutive_failures", "last_cursor",
    ];

    /// <summary>The view of a table without the <c>cursor</c> column: as db/schema.sql created it before that column.</summary>
    private static readonly string[] ColumnsWithoutCursor = Columns[..^1];

    /// <summary>The view's rows for a GET with these query parameters, as PostgREST's JSON array.</summary>
    public static string Select(IReadOnlyList<FakeJobRow> table, IReadOnlyList<KeyValuePair<string, string>> parameters, TimeZoneInfo zone, bool cursorColumn, out int count)
    {
        var columns = cursorColumn ? Columns : ColumnsWithoutCursor;
        string[] select = columns;
        var filters = new List<Filter>();
        var descending = false;
        int? limit = null;
        var offset = 0;
        foreach (var (key, value) in parameters)
        {
            switch (key)
            {
                case "select":
                    select = value.Trim() is "*" or "" ? columns : [.. value.Split(',').Select(c => c.Trim())];
                    foreach (var column in select.Where(c => Array.IndexOf(columns, c) < 0))
                    {
                        throw PgError.UndefinedColumn(Name, column);
                    }

                    break;
                case "order" when value is "name" or "name.asc" or "name.desc":
                    descending = value == "name.desc";
                    break;
                case "limit":
                    limit = Count("limit parameter", value);
                    break;
                case "offset":
                    offset = Count("offset parameter", value);
                    break;
                case "name":
                    filters.Add(Filter.Parse(Name, NameColumns, key, value, zone));
                    break;
                default:
                    throw new PgError(400, "PGRST100", $"The fake Jobs API reads {Name} with select, limit, offset, order=name and filters on name only, not '{key}'.", own: true);
            }
        }

        var rows = table
            .GroupBy(r => r.Name, StringComparer.Ordinal)
            .Select(Row)
            .Where(row => filters.TrueForAll(f => f.Matches(row.Latest)));
        rows = descending ? rows.OrderByDescending(r => r.Latest.Name, StringComparer.Ordinal) : rows.OrderBy(r => r.Latest.Name, StringComparer.Ordinal);
        var page = rows.Skip(offset).Take(limit ?? int.MaxValue).ToList();
        count = page.Count;

        var text = new StringBuilder("[");
        for (var i = 0; i < page.Count; i++)
        {
            text.Append(i == 0 ? "{" : ", \n {");
            for (var c = 0; c < select.Length; c++)
            {
                if (c > 0)
                {
                    text.Append(',');
                }

                RowJson.String(text, select[c]);
                text.Append(':');
                Value(text, page[i].Get(select[c]), zone);
            }

            text.Append('}');
        }

        return text.Append(']').ToString();
    }

    /// <summary>What the view's SQL computes for one name.</summary>
    private static FleetRowValues Row(IGrouping<string, FakeJobRow> runs)
    {
        var latest = runs.OrderByDescending(r => r.StartDate.UtcTicks).ThenByDescending(r => r.Id).First();
        var success = runs.Where(r => r.Status == "success").OrderByDescending(r => r.StartDate.UtcTicks).ThenByDescending(r => r.Id).FirstOrDefault();
        var running = runs.Where(r => r.Status == "in_progress").ToList();
        var failures = runs.Count(r => r.Status == "error" && (success is null || r.StartDate > success.StartDate));
        var heartbeats = running.Where(r => r.HeartbeatAt is not null).Select(r => r.HeartbeatAt!.Value).ToList();
        var cursor = runs.Where(r => r.Status == "success" && r.Cursor is not null).OrderByDescending(r => r.StartDate.UtcTicks).ThenByDescending(r => r.Id).FirstOrDefault()?.Cursor;
        return new FleetRowValues(latest, success, running.Count, running.Count == 0 ? null : running.Min(r => r.StartDate), heartbeats.Count == 0 ? null : heartbeats.Min(), failures, cursor);
    }

    private static void Value(StringBuilder text, object? value, TimeZoneInfo zone)
    {
        switch (value)
        {
            case null:
                text.Append("null");
                break;
            case long n:
                text.Append(n.ToString(CultureInfo.InvariantCulture));
                break;
            case int n:
                text.Append(n.ToString(CultureInfo.InvariantCulture));
                break;
            case DateTimeOffset t:
                RowJson.String(text, PgTimestamp.ToJson(t, zone));
                break;
            default:
                RowJson.String(text, (string)value);
                break;
        }
    }

    private static int Count(string what, string value)
        => int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : throw PgError.ParseFailure(what, value);

    private sealed record FleetRowValues(FakeJobRow Latest, FakeJobRow? Success, int RunsInProgress, DateTimeOffset? OldestInProgress, DateTimeOffset? StalestHeartbeat, int Failures, string? Cursor)
    {
        public object? Get(string column) => column switch
        {
            "name" => Latest.Name,
            "last_run_id" => Latest.Id,
            "last_start_date" => Latest.StartDate,
            "last_end_date" => Latest.EndDate,
            "last_status" => Latest.Status,
            "last_message" => Latest.Message,
            "last_records_processed" => Latest.RecordsProcessed,
            "last_source" => Latest.Source,
            "last_destination" => Latest.Destination,
            "last_success_id" => Success?.Id,
            "last_success_start_date" => Success?.StartDate,
            "last_success_end_date" => Success?.EndDate,
            "runs_in_progress" => RunsInProgress,
            "oldest_in_progress_start_date" => OldestInProgress,
            "stalest_heartbeat_at" => StalestHeartbeat,
            "consecutive_failures" => Failures,
            "last_cursor" => Cursor,
            _ => throw new ArgumentOutOfRangeException(nameof(column), column, "Not a column of jobs_fleet."),
        };
    }
}
