using System.Text;

namespace JobUtil.Cli;

/// <summary>Rows of cells as aligned columns, two spaces apart; the last column is never padded.</summary>
internal static class TextTable
{
    /// <param name="rows">The header first, then one row per line; every row has the same number of cells.</param>
    /// <param name="rightAligned">Which columns are right-aligned (numbers read best so); left-aligned when null.</param>
    public static string Format(IReadOnlyList<string[]> rows, bool[]? rightAligned = null)
    {
        // Each cell on the one line of its row, whatever it holds (a name with a line break, say).
        var escaped = rows.Select(row => row.Select(LineText.Escape).ToArray()).ToList();
        var widths = new int[rows[0].Length];
        foreach (var row in escaped)
        {
            for (var i = 0; i < row.Length; i++)
            {
                widths[i] = Math.Max(widths[i], row[i].Length);
            }
        }

        var text = new StringBuilder();
        foreach (var row in escaped)
        {
            var line = new StringBuilder();
            for (var i = 0; i < row.Length; i++)
            {
                if (i > 0)
                {
                    line.Append("  ");
                }

                var right = rightAligned?[i] ?? false;
                line.Append(i == row.Length - 1 ? row[i] : right ? row[i].PadLeft(widths[i]) : row[i].PadRight(widths[i]));
            }

            text.Append(line.ToString().TrimEnd()).Append('\n');
        }

        return text.ToString();
    }
}
