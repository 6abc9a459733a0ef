using System.Globalization;

namespace JobUtil.Cli;

/// <summary>
/// The record counts the table can hold: <c>records_processed</c> is an INTEGER column with a CHECK that it is not
/// negative, so a count outside 0 to <see cref="int.MaxValue"/> would make the server reject the whole update.
/// </summary>
internal static class RecordCount
{
    public static readonly string Max = int.MaxValue.ToString(CultureInfo.InvariantCulture);

    public static bool IsValid(long count) => count is >= 0 and <= int.MaxValue;
}
