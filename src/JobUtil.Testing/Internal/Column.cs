using System.Globalization;
using System.Text.Json;

namespace JobUtil.Testing.Internal;

/// <summary>The SQL type of a column, as far as the fake needs to know it.</summary>
internal enum ColumnType
{
    Integer,
    Text,
    Timestamp,
}

/// <summary>One column of the jobs table: its name, type, nullability, and how to read and coerce its values.</summary>
internal sealed class Column
{
    private Column(int ordinal, string name, ColumnType type, bool notNull)
    {
        Ordinal = ordinal;
        Name = name;
        Type = type;
        NotNull = notNull;
    }

    /// <summary>The table's columns, in table order (the order of keys in rendered rows).</summary>
    public static IReadOnlyList<Column> All { get; } =
    [
        new(0, "id", ColumnType.Integer, true),
        new(1, "name", ColumnType.Text, true),
        new(2, "start_date", ColumnType.Timestamp, true),
        new(3, "end_date", ColumnType.Timestamp, false),
        new(4, "message", ColumnType.Text, false),
        new(5, "status", ColumnType.Text, true),
        new(6, "records_processed", ColumnType.Integer, false),
        new(7, "source", ColumnType.Text, true),
        new(8, "destination", ColumnType.Text, true),
    ];

    public const int Id = 0;
    public const int Status = 5;

    public int Ordinal { get; }

    public string Name { get; }

    public ColumnType Type { get; }

    public bool NotNull { get; }

    public static Column? Find(string name)
    {
        foreach (var column in All)
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
        JsonValueKind.String => FromText(value.GetString()!, zone),
        _ when Type == ColumnType.Text => value.GetRawText(),
        _ => FromText(value.GetRawText(), zone),
    };

    /// <summary>A value given as text (a filter operand, or a JSON string), coerced to this column's type.</summary>
    public object FromText(string text, TimeZoneInfo zone)
    {
        switch (Type)
        {
            case ColumnType.Text:
                return text;
            case ColumnType.Timestamp:
                if (PgTimestamp.TryParse(text, zone, out var timestamp, out var outOfRange))
                {
                    return timestamp;
                }

                throw outOfRange
                    ? new PgError(400, "22008", $"date/time field value out of range: \"{text}\"")
                    : new PgError(400, "22007", $"invalid input syntax for type timestamp with time zone: \"{text}\"");
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

    /// <summary>Reads this column of a row.</summary>
    public object? Get(FakeJobRow row) => Ordinal switch
    {
        0 => row.Id,
        1 => row.Name,
        2 => row.StartDate,
        3 => row.EndDate,
        4 => row.Message,
        5 => row.Status,
        6 => row.RecordsProcessed is { } n ? (long)n : null,
        7 => row.Source,
        _ => row.Destination,
    };

    /// <summary>Compares two non-null values of this column, as PostgreSQL orders them (text in the C collation).</summary>
    public static int Compare(object a, object b) => (a, b) switch
    {
        (long x, long y) => x.CompareTo(y),
        (DateTimeOffset x, DateTimeOffset y) => x.UtcTicks.CompareTo(y.UtcTicks),
        (string x, string y) => string.CompareOrdinal(x, y),
        _ => throw new InvalidOperationException($"Cannot compare {a.GetType()} with {b.GetType()}."),
    };
}
