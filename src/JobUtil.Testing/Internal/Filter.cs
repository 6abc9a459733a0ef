using System.Text;

namespace JobUtil.Testing.Internal;

/// <summary>One horizontal filter (<c>col=[not.]op.value</c>), evaluated with SQL's three-valued logic.</summary>
internal sealed class Filter : ICondition
{
    private static readonly string[] Operators = ["eq", "neq", "gt", "gte", "lt", "lte", "in", "is", "like", "ilike"];

    private readonly Column _column;
    private readonly string _op;
    private readonly bool _negated;
    private readonly object?[] _operands;
    private readonly System.Text.RegularExpressions.Regex? _pattern;

    private Filter(Column column, string op, bool negated, object?[] operands, System.Text.RegularExpressions.Regex? pattern)
    {
        _column = column;
        _op = op;
        _negated = negated;
        _operands = operands;
        _pattern = pattern;
    }

    public static Filter Parse(string table, IReadOnlyList<Column> columns, string columnName, string expression, TimeZoneInfo zone)
    {
        var column = Column.Find(columns, columnName) ?? throw PgError.UndefinedColumn(table, columnName);
        var rest = expression;
        var negated = false;
        if (rest.StartsWith("not.", StringComparison.Ordinal))
        {
            negated = true;
            rest = rest[4..];
        }

        var dot = rest.IndexOf('.', StringComparison.Ordinal);
        var op = dot < 0 ? rest : rest[..dot];
        if (dot < 0 || Array.IndexOf(Operators, op) < 0)
        {
            throw PgError.ParseFailure("filter", expression, $"unexpected \"{(expression.Length > 0 ? expression[0] : ' ')}\" expecting \"not\" or operator (eq, gt, ...)");
        }

        var operand = rest[(dot + 1)..];
        switch (op)
        {
            case "is":
                return operand switch
                {
                    "null" or "unknown" => new Filter(column, "is", negated, [null], null),
                    "not_null" => new Filter(column, "is", !negated, [null], null),
                    _ => throw PgError.ParseFailure("filter", expression, "unexpected \"" + operand + "\" expecting null, not_null, unknown, true or false"),
                };
            case "in":
                if (!operand.StartsWith('(') || !operand.EndsWith(')'))
                {
                    throw PgError.ParseFailure("filter", expression, "unexpected end of input expecting \"(\"");
                }

                var items = SplitList(operand[1..^1]);
                return new Filter(column, "in", negated, items.Select(i => i is null ? null : column.FromText(i, zone)).ToArray(), null);
            case "like":
            case "ilike":
                var regex = "^" + System.Text.RegularExpressions.Regex.Escape(operand).Replace("\\*", ".*", StringComparison.Ordinal).Replace("%", ".*", StringComparison.Ordinal).Replace("_", ".", StringComparison.Ordinal) + "$";
                var options = System.Text.RegularExpressions.RegexOptions.Singleline | System.Text.RegularExpressions.RegexOptions.CultureInvariant
                    | (op == "ilike" ? System.Text.RegularExpressions.RegexOptions.IgnoreCase : 0);
                return new Filter(column, op, negated, [], new System.Text.RegularExpressions.Regex(regex, options));
            default:
                return new Filter(column, op, negated, [column.FromText(operand, zone)], null);
        }
    }

    /// <summary>True when the row passes; NULL (unknown) counts as not passing, as in a WHERE clause.</summary>
    public bool Matches(FakeJobRow row) => Evaluate(row) == true;

    /// <inheritdoc/>
    public bool? Evaluate(FakeJobRow row)
    {
        var value = _column.Get(row);
        bool? result;
        if (_op == "is")
        {
            result = value is null;
        }
        else if (value is null)
        {
            result = null;
        }
        else if (_pattern is not null)
        {
            result = _pattern.IsMatch(Text(value));
        }
        else if (_op == "in")
        {
            result = false;
            foreach (var operand in _operands)
            {
                if (operand is null)
                {
                    result = result == true ? true : null;
                }
                else if (Column.Compare(value, operand) == 0)
                {
                    result = true;
                    break;
                }
            }
        }
        else
        {
            var c = Column.Compare(value, _operands[0]!);
            result = _op switch
            {
                "eq" => c == 0,
                "neq" => c != 0,
                "gt" => c > 0,
                "gte" => c >= 0,
                "lt" => c < 0,
                _ => c <= 0,
            };
        }

        return _negated ? !result : result;
    }

    private static string Text(object value) => value switch
    {
        DateTimeOffset t => PgTimestamp.ToText(t, TimeZoneInfo.Utc),
        IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };

    /// <summary>Splits <c>a,"b,c",d</c>; a double-quoted item may contain commas and <c>\"</c>; an unquoted <c>null</c> is SQL NULL.</summary>
    private static List<string?> SplitList(string text)
    {
        var items = new List<string?>();
        if (text.Length == 0)
        {
            return items;
        }

        var current = new StringBuilder();
        var quoted = false;
        var wasQuoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '\\' && i + 1 < text.Length)
                {
                    current.Append(text[++i]);
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    current.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = wasQuoted = true;
            }
            else if (c == ',')
            {
                items.Add(Item(current.ToString(), wasQuoted));
                current.Clear();
                wasQuoted = false;
            }
            else
            {
                current.Append(c);
            }
        }

        items.Add(Item(current.ToString(), wasQuoted));
        return items;

        static string? Item(string value, bool wasQuoted) => !wasQuoted && value == "null" ? null : value;
    }
}
