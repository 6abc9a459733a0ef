using System.Globalization;
using System.Text.Json;

namespace JobUtil.Testing.Internal;

/// <summary>The SQL type of a column, as far as the fake needs to know it.</summary>
internal enum ColumnType
{
    Integer,
    Text,

    /// <summary><c>timestamptz</c>.</summary>
    Timestamp,

    /// <summary><c>timestamp</c> without time zone: the wall time is kept (with offset zero), any offset given is ignored.</summary>
    TimestampWithoutTimeZone,

    /// <summary><c>uuid</c>, held as a <see cref="Guid"/>.</summary>
    Uuid,
}

/// <summary>One column of the jobs table: its name, type, nullability, and how to read and coerce its values.</summary>
internal sealed class Column
{
    private Column(int ordinal, string name, ColumnType type, bool notNull, int precision = 6)
    {
        Ordinal = ordinal;
        Name = name;
        Type = type;
        NotNull = notNull;
        Precision = precision;
    }

    public const int Id = 0;
    public const int StartDate = 2;
    public const int EndDate = 3;
    public const int Status = 5;
    public const int RecordsProcessed = 6;

    /// <summary>The name of the run key column.</summary>
    public const string RunKey = "run_key";

    public int Ordinal { get; }

    public string Name { get; }

    public ColumnType Type { get; }

    public bool NotNull { get; }

    /// <summary>A timestamp column's fractional digits (its typmod): 6 unless declared lower, such as <c>timestamptz(3)</c>.</summary>
    public int Precision { get; }

    private bool IsTimestamp => Type is ColumnType.Timestamp or ColumnType.TimestampWithoutTimeZone;

    /// <summary>The table's columns as <paramref name="options"/> declare them, in table order (the order of keys in rendered rows).</summary>
    public static IReadOnlyList<Column> For(FakeJobsApiOptions options)
    {
        var timestamp = options.TimestampsWithoutTimeZone ? ColumnType.TimestampWithoutTimeZone : ColumnType.Timestamp;
        List<Column> columns =
        [
            new(Id, "id", ColumnType.Integer, true),
            new(1, "name", ColumnType.Text, true),
            new(StartDate, "start_date", timestamp, true, options.StartDatePrecision),
            new(EndDate, "end_date", timestamp, false),
            new(4, "message", ColumnType.Text, false),
            new(Status, "status", ColumnType.Text, true),
            new(RecordsProcessed, "records_processed", ColumnType.Integer, false),
            new(7, "source", ColumnType.Text, true),
            new(8, "destination", ColumnType.Text, true),
        ];
        if (options.HeartbeatColumns)
        {
            // Added by ALTER TABLE in db/schema.sql, so after the nine original columns.
            columns.Add(new(columns.Count, "heartbeat_at", timestamp, false));
            columns.Add(new(columns.Count, "host", ColumnType.Text, false));
        }

        if (options.CursorColumn)
        {
            // Added by ALTER TABLE in db/schema.sql after the heartbeat columns.
            columns.Add(new(columns.Count, "cursor", ColumnType.Text, false));
        }

        if (options.RunKeyColumn)
        {
            // Added by ALTER TABLE in db/schema.sql after the heartbeat columns; unique (see JobsTable).
            columns.Add(new(columns.Count, RunKey, ColumnType.Uuid, false));
        }

        return columns;
    }

    public static Column? Find(IReadOnlyList<Column> columns, string name)
    {
        foreach (var column in columns)
        {
            if (column.Name == name)
            {
                return column;
            }
        }

        return null;
    }

    /// <summary>A value written in a JSON body, coerced as <c>json_populate_record</c> does.</summary>
    public object? FromJson(JsonElement value, TimeZoneInfo zone) => value.ValueKind switch
    {
        JsonValueKind.Null => null,

        // PostgreSQL's text cannot hold NUL: a JSON string with \u0000 cannot be converted.
        JsonValueKind.String when value.GetString()!.Contains('\0', StringComparison.Ordinal)
            => throw new PgError(400, "22P05", "unsupported Unicode escape sequence", "\\u0000 cannot be converted to text."),
        JsonValueKind.String => FromText(value.GetString()!, zone),
        _ when Type == ColumnType.Text => value.GetRawText(),
        _ => FromText(value.GetRawText(), zone),
    };

    /// <summary>A value given as text (a filter operand, or a JSON string), coerced to this column's type (without its typmod: see <see cref="Store"/>).</summary>
    public object FromText(string text, TimeZoneInfo zone)
    {
        switch (Type)
        {
            case ColumnType.Text:
                return text;
            case ColumnType.Uuid:
                // PostgreSQL's uuid_in: 32 hex digits, with or without the hyphens of the standard form, optionally in braces.
                var candidate = text.Trim();
                return Guid.TryParseExact(candidate, "D", out var uuid) || Guid.TryParseExact(candidate, "N", out uuid) || Guid.TryParseExact(candidate, "B", out uuid)
                    ? uuid
                    : throw new PgError(400, "22P02", $"invalid input syntax for type uuid: \"{text}\"");
            case ColumnType.Timestamp or ColumnType.TimestampWithoutTimeZone:
                var withoutTimeZone = Type == ColumnType.TimestampWithoutTimeZone;
                if (PgTimestamp.TryParse(text, zone, withoutTimeZone, out var timestamp, out var outOfRange))
                {
                    return timestamp;
                }

                var typeName = withoutTimeZone ? "timestamp without time zone" : "timestamp with time zone";
                throw outOfRange
                    ? new PgError(400, "22008", $"date/time field value out of range: \"{text}\"")
                    : new PgError(400, "22007", $"invalid input syntax for type {typeName}: \"{text}\"");
            default:
                var trimmed = text.Trim();
                if (trimmed.Length > 0 && trimmed.All(c => char.IsAsciiDigit(c) || c is '-' or '+') && long.TryParse(trimmed, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number))
                {
                    return number is < int.MinValue or > int.MaxValue
                        ? throw new PgError(400, "22003", $"value \"{text}\" is out of range for type integer")
                        : number;
                }

                throw new PgError(400, "22P02", $"invalid input syntax for type integer: \"{text}\"");
        }
    }

    /// <summary>The value as this column stores it: timestamps rounded to the column's precision.</summary>
    public object? Store(object? value) => value is DateTimeOffset t && IsTimestamp ? PgTimestamp.Round(t, Precision) : value;

    /// <summary>Reads this column of a row.</summary>
    public object? Get(FakeJobRow row) => Name switch
    {
        "id" => row.Id,
        "name" => row.Name,
        "start_date" => row.StartDate,
        "end_date" => row.EndDate,
        "message" => row.Message,
        "status" => row.Status,
        "records_processed" => row.RecordsProcessed is { } n ? (long)n : null,
        "source" => row.Source,
        "destination" => row.Destination,
        "heartbeat_at" => row.HeartbeatAt,
        "host" => row.Host,
        "cursor" => row.Cursor,
        _ => row.RunKey,
    };

    /// <summary>A non-null value of this column as <c>to_json</c> renders it (without the quotes).</summary>
    public string ToJsonText(DateTimeOffset value, TimeZoneInfo zone)
        => Type == ColumnType.TimestampWithoutTimeZone ? PgTimestamp.ToJsonWithoutTimeZone(value) : PgTimestamp.ToJson(value, zone);

    /// <summary>A value of this column as PostgreSQL prints it in text (a <c>::text</c> cast, an error's details).</summary>
    public string ToText(object? value, TimeZoneInfo zone) => value switch
    {
        null => "null",
        DateTimeOffset t when Type == ColumnType.TimestampWithoutTimeZone => PgTimestamp.ToTextWithoutTimeZone(t),
        DateTimeOffset t => PgTimestamp.ToText(t, zone),
        long n => n.ToString(CultureInfo.InvariantCulture),
        Guid g => g.ToString("D"),
        _ => (string)value,
    };

    /// <summary>Compares two non-null values of this column, as PostgreSQL orders them (text in the C collation).</summary>
    public static int Compare(object a, object b) => (a, b) switch
    {
        (long x, long y) => x.CompareTo(y),
        (DateTimeOffset x, DateTimeOffset y) => x.UtcTicks.CompareTo(y.UtcTicks),
        (string x, string y) => string.CompareOrdinal(x, y),

        // PostgreSQL orders uuids by their 16 bytes in the order written, as their hex text sorts.
        (Guid x, Guid y) => string.CompareOrdinal(x.ToString("N"), y.ToString("N")),
        _ => throw new InvalidOperationException($"Cannot compare {a.GetType()} with {b.GetType()}."),
    };

    /// <summary>SQL's <c>IS NOT DISTINCT FROM</c>: equal values, or both NULL.</summary>
    public static bool Same(object? a, object? b) => a is null || b is null ? a is null && b is null : Compare(a, b) == 0;
}
