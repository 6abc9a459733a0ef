#if NET
using System.Runtime.CompilerServices;
#endif
using System.Text.Json.Serialization.Metadata;
using Polly;

namespace JobUtil.Internal;

internal sealed partial class JobsApi
{
    /// <summary>
    /// A GET of any URL of the Jobs API (the table with filters, or a view beside it) answered with a JSON array, under
    /// the same timeouts, retries and error handling as every other operation.
    /// </summary>
    /// <param name="retry">The retry pipeline for this result type (<see cref="JobsApiResilience.Build{TResult}"/>); null when retries are off.</param>
    /// <param name="url">The full URL, query included, values already encoded.</param>
    /// <param name="type">How to read the array.</param>
    /// <param name="operation">What the request does, as error messages and retry logs name it.</param>
    /// <param name="isComplete">Whether a row holds what the caller needs; a row that does not is an unexpected body.</param>
    /// <param name="cancellationToken">Cancels the request and any retry wait.</param>
    /// <remarks>Typed on <see cref="IReadOnlyList{T}"/>, not an array: the pipeline's trimming annotation on an array type would keep every array member for Native AOT.</remarks>
    public Task<IReadOnlyList<T>> GetArrayAsync<T>(ResiliencePipeline<IReadOnlyList<T>>? retry, string url, JsonTypeInfo<T[]> type, string operation, Func<T, bool> isComplete, CancellationToken cancellationToken)
        where T : class
        => ExecuteAsync(retry, new GetArrayCall<T>(this, url, type, operation, isComplete), cancellationToken);

    private sealed class GetArrayCall<T>(JobsApi api, string url, JsonTypeInfo<T[]> type, string operation, Func<T, bool> isComplete) : Call<IReadOnlyList<T>>(api)
        where T : class
    {
        public override string Operation => operation;

#if NET
        [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
#endif
        protected override async ValueTask<IReadOnlyList<T>> SendAsync(CancellationToken cancellationToken)
        {
            using var request = Api.CreateRequest(HttpMethod.Get, url, null);
            using var response = await Api._http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
            Telemetry.ResponseReceived(response);
            if (!response.IsSuccessStatusCode)
            {
                throw await Api.ErrorAsync(response, operation, cancellationToken).ConfigureAwait(false);
            }

            var rows = await ReadArrayAsync(response, type, operation, cancellationToken).ConfigureAwait(false);
            foreach (var row in rows)
            {
                if (!isComplete(row))
                {
                    throw await ResponseErrors.UnexpectedBodyAsync(response, operation, "a JSON array of complete rows", null, cancellationToken).ConfigureAwait(false);
                }
            }

            return rows;
        }
    }
}
