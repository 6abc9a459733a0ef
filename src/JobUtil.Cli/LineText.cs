using System.Globalization;
using System.Text;

namespace JobUtil.Cli;

/// <summary>
/// Text from the Jobs API (job names, messages) as one line of line-oriented output: every control character (line
/// breaks, tabs, escape sequences a terminal would obey) and the Unicode line and paragraph separators are shown as
/// escapes (<c>\n</c>, <c>\r</c>, <c>\t</c>, <c>\u001B</c>), so one job or run stays one line for scripts that count lines.
/// </summary>
internal static class LineText
{
    public static string Escape(string text)
    {
        if (!text.Any(NeedsEscape))
        {
            return text;
        }

        var line = new StringBuilder(text.Length + 8);
        foreach (var c in text)
        {
            switch (c)
            {
                case '\n':
                    line.Append("\\n");
                    break;
                case '\r':
                    line.Append("\\r");
                    break;
                case '\t':
                    line.Append("\\t");
                    break;
                case var other when NeedsEscape(other):
                    line.Append("\\u").Append(((int)other).ToString("X4", CultureInfo.InvariantCulture));
                    break;
                default:
                    line.Append(c);
                    break;
            }
        }

        return line.ToString();
    }

    private static bool NeedsEscape(char c) => char.IsControl(c) || c is '\u2028' or '\u2029';
}
