namespace JobUtil.Testing.Internal;

/// <summary>
/// The <c>jobs_final_state</c> trigger of db/schema.sql: a finished run (status other than <c>in_progress</c>) cannot change.
/// An update that sets the values a finished run already holds is allowed, so a repeated request succeeds.
/// </summary>
internal static class FinalState
{
    public const string Hint =
        "A finished run is final. The table's owner may correct it in a transaction after SET LOCAL jobutil.allow_final_update = on.";

    /// <summary>Refuses the update of <paramref name="old"/> to <paramref name="values"/> (by column ordinal) as the trigger does.</summary>
    public static void Check(JobsTable table, FakeJobRow old, object?[] values)
    {
        if (old.Status == "in_progress")
        {
            return;
        }

        var changed = table.Columns
            .Where(c => !Column.Same(c.Get(old), c.Store(values[c.Ordinal])))
            .Select(c => c.Name)
            .ToList();
        if (changed.Count == 0)
        {
            return;
        }

        var endDate = table.ToText(table.Columns[Column.EndDate], old.EndDate);
        var records = table.ToText(table.Columns[Column.RecordsProcessed], old.RecordsProcessed is { } n ? (long)n : null);
        throw new PgError(
            400,
            JobsTable.FinalStateCode,
            $"run {old.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)} of job \"{old.Name}\" has already ended (status {old.Status}, end_date {endDate}, records_processed {records}) and cannot be changed",
            $"The update would change: {string.Join(", ", changed)}.",
            Hint);
    }
}
