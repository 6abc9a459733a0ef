using System.Text;

namespace JobUtil.Internal;

internal sealed partial class JobsApi
{
    /// <summary>
    /// The cursor of this job's successful run with the greatest <c>start_date</c> (then <c>id</c>) among those that
    /// stored one; <see langword="null"/> when there is none. One request, served by <c>jobs_cursor_idx</c>. The filter
    /// <c>not.is.null</c> and a two-column <c>order</c> are understood by every PostgREST version.
    /// </summary>
    public async Task<string?> GetLastCursorAsync(string name, CancellationToken cancellationToken)
    {
        var url = new StringBuilder(_table)
            .Append("?select=cursor&name=eq.").Append(Encode(name))
            .Append("&status=eq.success&cursor=not.is.null&order=start_date.desc,id.desc&limit=1")
            .ToString();
        var operation = $"Reading the cursor of job '{name}'";
        try
        {
            return await ExecuteAsync(
                operation,
                async ct =>
                {
                    var rows = await GetAsync(url, JobsJsonContext.Default.CursorRowArray, operation, ct).ConfigureAwait(false);
                    return rows.Length == 0 ? null : rows[0].Cursor;
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (JobsApiException e) when (IsMissingCursorColumn(e))
        {
            throw WithoutCursorColumn(e, operation);
        }
    }

    /// <summary>
    /// Whether PostgREST refused a request because the table has no <c>cursor</c> column: <c>42703</c> for a column in
    /// <c>select</c>, a filter or a body before v10.1, <c>PGRST204</c> in a body from v10.1 on.
    /// </summary>
    public static bool IsMissingCursorColumn(JobsApiException e) => e.Status == 400 && e.ErrorCode is "42703" or "PGRST204";

    /// <summary>The error for a cursor read or written on a table without the column: it names the column and the fix.</summary>
    public static JobsApiException WithoutCursorColumn(JobsApiException e, string operation)
        => new(
            e.Status,
            $"{operation} failed: the jobs table has no cursor column. Add it with db/schema.sql (it adds the column if it is not there; rows written before keep no cursor). ({e.Message})",
            e.ErrorCode,
            e)
        {
            ServerMessage = e.ServerMessage,
            Details = e.Details,
            Hint = e.Hint,
            Attempts = e.Attempts,
        };
}
