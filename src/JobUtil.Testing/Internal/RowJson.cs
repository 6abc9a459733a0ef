using System.Globalization;
using System.Text;

namespace JobUtil.Testing.Internal;

/// <summary>Writes rows byte for byte as PostgreSQL's <c>json_agg</c> and <c>row_to_json</c> write them.</summary>
internal static class RowJson
{
    /// <summary><c>[]</c>, <c>[{...}]</c>, or <c>[{...}, \n {...}]</c>: json_agg's separator is a comma, a space, a newline and a space.</summary>
    public static string Array(IReadOnlyList<FakeJobRow> rows, IReadOnlyList<Column> columns, ReadQuery? query, TimeZoneInfo zone)
    {
        var text = new StringBuilder("[");
        for (var i = 0; i < rows.Count; i++)
        {
            if (i > 0)
            {
                text.Append(", \n ");
            }

            Object(text, rows[i], columns, query, zone);
        }

        return text.Append(']').ToString();
    }

    public static string Object(FakeJobRow row, IReadOnlyList<Column> columns, ReadQuery? query, TimeZoneInfo zone)
    {
        var text = new StringBuilder();
        Object(text, row, columns, query, zone);
        return text.ToString();
    }

    private static void Object(StringBuilder text, FakeJobRow row, IReadOnlyList<Column> columns, ReadQuery? query, TimeZoneInfo zone)
    {
        text.Append('{');
        var first = true;
        foreach (var (key, column, asText) in query?.Select ?? columns.Select(c => (c.Name, c, false)))
        {
            if (!first)
            {
                text.Append(',');
            }

            first = false;
            String(text, key);
            text.Append(':');
            var value = column.Get(row);
            switch (value)
            {
                case null:
                    text.Append("null");
                    break;
                case long n when asText:
                    String(text, n.ToString(CultureInfo.InvariantCulture));
                    break;
                case long n:
                    text.Append(n.ToString(CultureInfo.InvariantCulture));
                    break;
                case DateTimeOffset t:
                    String(text, asText ? column.ToText(t, zone) : column.ToJsonText(t, zone));
                    break;
                case Guid g:
                    String(text, g.ToString("D"));
                    break;
                default:
                    String(text, (string)value);
                    break;
            }
        }

        text.Append('}');
    }

    /// <summary>PostgreSQL's <c>escape_json</c>: only quotes, backslashes and control characters are escaped.</summary>
    internal static void String(StringBuilder text, string value)
    {
        text.Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': text.Append("\\\""); break;
                case '\\': text.Append("\\\\"); break;
                case '\b': text.Append("\\b"); break;
                case '\f': text.Append("\\f"); break;
                case '\n': text.Append("\\n"); break;
                case '\r': text.Append("\\r"); break;
                case '\t': text.Append("\\t"); break;
                case < ' ': text.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture)); break;
                default: text.Append(c); break;
            }
        }

        text.Append('"');
    }

    /// <summary>An error body: <c>{"code":…,"details":…,"hint":…,"message":…}</c>, or only <c>message</c> for older PostgREST's own errors.</summary>
    public static string Error(PgError error, bool onlyMessage)
    {
        var text = new StringBuilder("{");
        if (!onlyMessage)
        {
            String(text, "code");
            text.Append(':');
            NullableString(text, error.Code);
            text.Append(',');
            String(text, "details");
            text.Append(':');
            NullableString(text, error.Details);
            text.Append(',');
            String(text, "hint");
            text.Append(':');
            NullableString(text, error.Hint);
            text.Append(',');
        }

        String(text, "message");
        text.Append(':');
        String(text, error.Message);
        return text.Append('}').ToString();
    }

    private static void NullableString(StringBuilder text, string? value)
    {
        if (value is null)
        {
            text.Append("null");
        }
        else
        {
            String(text, value);
        }
    }
}
