using System.Text.Json.Serialization.Metadata;

namespace JobUtil.Internal;

internal sealed partial class JobsApi
{
    /// <summary>
    /// A GET of any URL of the Jobs API (the table with filters, or a view beside it) answered with a JSON array, under
    /// the same timeouts, retries and error handling as every other operation.
    /// </summary>
    /// <param name="url">The full URL, query included, values already encoded.</param>
    /// <param name="type">How to read the array.</param>
    /// <param name="operation">What the request does, as error messages and retry logs name it.</param>
    /// <param name="isComplete">Whether a row holds what the caller needs; a row that does not is an unexpected body.</param>
    /// <param name="cancellationToken">Cancels the request and any retry wait.</param>
    public Task<IReadOnlyList<T>> GetArrayAsync<T>(string url, JsonTypeInfo<T[]> type, string operation, Func<T, bool> isComplete, CancellationToken cancellationToken)
        where T : class
        => ExecuteAsync<IReadOnlyList<T>>(
            operation,
            async ct =>
            {
                var rows = await GetAsync(url, type, operation, ct).ConfigureAwait(false);
                return rows.All(isComplete)
                    ? rows
                    : throw new JobsApiException(200, $"{operation} failed: the Jobs API answered with rows that lack columns it needs.");
            },
            cancellationToken);
}
