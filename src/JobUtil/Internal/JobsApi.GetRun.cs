#if NET
using System.Runtime.CompilerServices;
#endif

namespace JobUtil.Internal;

internal sealed partial class JobsApi
{
    /// <summary>Run <paramref name="id"/> as stored; a run that does not exist is <see cref="JobRunNotFoundException"/>.</summary>
    /// <param name="id">The run's id.</param>
    /// <param name="cancellationToken">Cancels the request and any retry wait.</param>
    public Task<JobRecord> GetRunAsync(long id, CancellationToken cancellationToken)
        => ExecuteAsync(_runPipeline, new GetRunCall(this, id), cancellationToken);

    /// <summary>The GET of one run by id.</summary>
    private sealed class GetRunCall(JobsApi api, long id) : Call<JobRecord>(api)
    {
        private string? _operation;

        public override string Operation => _operation ??= $"Reading run {id}";

#if NET
        [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
#endif
        protected override async ValueTask<JobRecord> SendAsync(CancellationToken cancellationToken)
        {
            using var request = Api.CreateRequest(HttpMethod.Get, Api.RunUrl(id), null);
            using var response = await Api._http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
            Telemetry.ResponseReceived(response);
            if (!response.IsSuccessStatusCode)
            {
                throw await Api.ErrorAsync(response, Operation, cancellationToken).ConfigureAwait(false);
            }

            var rows = await ReadArrayAsync(response, JobsJsonContext.Default.JobRecordArray, Operation, cancellationToken).ConfigureAwait(false);
            return rows.Length switch
            {
                1 => rows[0],
                0 => throw new JobRunNotFoundException(id, (int)response.StatusCode, $"{Operation} failed: run {id} was not found. It may have been deleted, or the id is wrong."),
                _ => throw await ResponseErrors.UnexpectedBodyAsync(response, Operation, "an array holding at most the one run with that id", null, cancellationToken).ConfigureAwait(false),
            };
        }
    }
}
