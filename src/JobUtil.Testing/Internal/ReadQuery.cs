using System.Globalization;

namespace JobUtil.Testing.Internal;

/// <summary>The query-string part of a PostgREST request: filters, <c>order</c>, <c>limit</c>, <c>offset</c> and <c>select</c>.</summary>
internal sealed class ReadQuery
{
    private static readonly string[] Unsupported = ["columns", "on_conflict"];

    /// <summary>The conditions every returned row meets: filters, and <c>or</c>/<c>and</c> trees.</summary>
    public List<ICondition> Filters { get; } = [];

    public List<(Column Column, bool Descending, bool NullsFirst)> Order { get; } = [];

    public int? Limit { get; private set; }

    public int Offset { get; private set; }

    /// <summary>The output columns with their keys; null means every column (<c>*</c>).</summary>
    public List<(string Key, Column Column, bool AsText)>? Select { get; private set; }

    public static ReadQuery Parse(string table, IReadOnlyList<Column> columns, IReadOnlyList<KeyValuePair<string, string>> parameters, TimeZoneInfo zone)
    {
        var query = new ReadQuery();
        foreach (var (key, value) in parameters)
        {
            switch (key)
            {
                case "select":
                    query.Select = ParseSelect(table, columns, value);
                    break;
                case "order":
                    query.ParseOrder(table, columns, value);
                    break;
                case "limit":
                    query.Limit = ParseCount("limit parameter", value);
                    break;
                case "offset":
                    query.Offset = ParseCount("offset parameter", value);
                    break;
                case "or" or "and" or "not.or" or "not.and":
                    query.Filters.Add(LogicTree.Parse(table, columns, key, value, zone));
                    break;
                default:
                    if (Array.IndexOf(Unsupported, key) >= 0)
                    {
                        throw new PgError(400, "PGRST100", $"The fake Jobs API does not support the '{key}' parameter.", own: true);
                    }

                    query.Filters.Add(Filter.Parse(table, columns, key, value, zone));
                    break;
            }
        }

        return query;
    }

    public bool Matches(FakeJobRow row) => Filters.TrueForAll(f => f.Evaluate(row) == true);

    /// <summary>Orders, then applies <c>offset</c> and <c>limit</c>.</summary>
    public List<FakeJobRow> Apply(IEnumerable<FakeJobRow> rows)
    {
        var matched = rows.Where(Matches).ToList();
        if (Order.Count > 0)
        {
            // A stable sort, so rows equal on every key keep their table order.
            matched = [.. matched.Order(Comparer<FakeJobRow>.Create(CompareRows))];
        }

        IEnumerable<FakeJobRow> page = matched.Skip(Offset);
        if (Limit is { } limit)
        {
            page = page.Take(limit);
        }

        return [.. page];
    }

    private int CompareRows(FakeJobRow a, FakeJobRow b)
    {
        foreach (var (column, descending, nullsFirst) in Order)
        {
            var x = column.Get(a);
            var y = column.Get(b);
            int c;
            if (x is null || y is null)
            {
                c = x is null && y is null ? 0 : (x is null) == nullsFirst ? -1 : 1;
            }
            else
            {
                c = Column.Compare(x, y);
                if (descending)
                {
                    c = -c;
                }
            }

            if (c != 0)
            {
                return c;
            }
        }

        return 0;
    }

    private void ParseOrder(string table, IReadOnlyList<Column> columns, string value)
    {
        foreach (var term in value.Split(','))
        {
            var parts = term.Split('.');
            var column = Column.Find(columns, parts[0]) ?? throw PgError.UndefinedColumn(table, parts[0]);
            var descending = false;
            bool? nullsFirst = null;
            foreach (var modifier in parts.Skip(1))
            {
                switch (modifier)
                {
                    case "asc": descending = false; break;
                    case "desc": descending = true; break;
                    case "nullsfirst": nullsFirst = true; break;
                    case "nullslast": nullsFirst = false; break;
                    default: throw PgError.ParseFailure("order", term, $"unexpected \"{modifier}\" expecting \"asc\", \"desc\", \"nullsfirst\" or \"nullslast\"");
                }
            }

            // PostgreSQL's default: NULLs are larger than every value, so they come last ascending and first descending.
            Order.Add((column, descending, nullsFirst ?? descending));
        }
    }

    private static List<(string, Column, bool)>? ParseSelect(string table, IReadOnlyList<Column> columns, string value)
    {
        if (value.Trim() is "*" or "")
        {
            return null;
        }

        var result = new List<(string, Column, bool)>();
        foreach (var raw in value.Split(','))
        {
            var item = raw.Trim();
            if (item == "*")
            {
                result.AddRange(columns.Select(c => (c.Name, c, false)));
                continue;
            }

            var asText = false;
            var cast = item.IndexOf("::", StringComparison.Ordinal);
            if (cast >= 0)
            {
                var type = item[(cast + 2)..];
                if (type != "text")
                {
                    throw new PgError(400, "PGRST100", $"The fake Jobs API casts only to text, not to '{type}'.", own: true);
                }

                asText = true;
                item = item[..cast];
            }

            var colon = item.IndexOf(':', StringComparison.Ordinal);
            var key = colon < 0 ? item : item[..colon];
            var name = colon < 0 ? item : item[(colon + 1)..];
            var column = Column.Find(columns, name) ?? throw PgError.UndefinedColumn(table, name);
            result.Add((key, column, asText));
        }

        return result;
    }

    private static int ParseCount(string what, string value)
        => int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            ? n
            : throw PgError.ParseFailure(what, value);
}
