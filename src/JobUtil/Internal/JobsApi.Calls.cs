using System.Net.Http.Json;
#if NET
using System.Runtime.CompilerServices;
#endif
using Polly;
using Polly.Timeout;

namespace JobUtil.Internal;

internal sealed partial class JobsApi
{
    /// <summary>
    /// One operation: what each attempt sends and how it reads the response, and what the attempts learned. An attempt
    /// never throws: its failure is its outcome, which the retry pipeline judges.
    /// </summary>
    /// <remarks>
    /// On .NET the attempt's async methods take their state machines from a pool: an attempt then allocates nothing
    /// of its own beyond the request, however its awaits complete.
    /// </remarks>
    private abstract class Call<T>
    {
        private Outcome<T> _replay;
        private bool _hasReplay;

        protected Call(JobsApi api) => Api = api;

        /// <summary>Attempts made so far, the first included.</summary>
        public int Attempts { get; private set; }

        /// <summary>The last attempt that got an error response.</summary>
        public JobsApiException? LastFailure { get; private set; }

        /// <summary>Called with the result before the operation's task completes.</summary>
        public Action<T>? OnSuccess { get; init; }

        /// <summary>What the operation does, as error messages and retry logs name it.</summary>
        public abstract string Operation { get; }

        protected JobsApi Api { get; }

        /// <summary>Hands an attempt already made to the retry pipeline as the outcome of its first attempt.</summary>
        public void Replay(Outcome<T> first)
        {
            _replay = first;
            _hasReplay = true;
        }

        /// <summary>The retry pipeline's callback: the replayed first outcome (at once, so no frame awaits it), then new attempts.</summary>
        public ValueTask<Outcome<T>> NextAsync(ResilienceContext context)
        {
            if (!_hasReplay)
            {
                return AttemptAsync(context.CancellationToken);
            }

            var first = _replay;
            _replay = default;
            _hasReplay = false;
            return new ValueTask<Outcome<T>>(first);
        }

        /// <summary>One attempt under its own timeout (<see cref="JobOptions.AttemptTimeout"/>).</summary>
#if NET
        [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
#endif
        public async ValueTask<Outcome<T>> AttemptAsync(CancellationToken cancellationToken)
        {
            Attempts++;
            var timeout = TimeoutScope.Start(Api._time, Api._attemptTimeout, cancellationToken);
            try
            {
                return Outcome.FromResult(await SendAsync(timeout.Token).ConfigureAwait(false));
            }
            catch (OperationCanceledException e) when (timeout.TimedOut)
            {
                return Outcome.FromException<T>(new TimeoutRejectedException(TimeoutMessage(Api._attemptTimeout), Api._attemptTimeout, e));
            }
            catch (Exception e)
            {
                if (e is JobsApiException api)
                {
                    LastFailure = api;
                }

                return Outcome.FromException<T>(e);
            }
            finally
            {
                timeout.Dispose();
            }
        }

        /// <summary>Sends the request, turns an error response into a <see cref="JobsApiException"/>, and parses the body.</summary>
        protected abstract ValueTask<T> SendAsync(CancellationToken cancellationToken);
    }

    private sealed class WatermarkCall(JobsApi api, string url, string operation) : Call<DateTimeOffset?>(api)
    {
        public override string Operation => operation;

#if NET
        [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
#endif
        protected override async ValueTask<DateTimeOffset?> SendAsync(CancellationToken cancellationToken)
        {
            using var request = Api.CreateRequest(HttpMethod.Get, url, null);
            using var response = await Api._http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
            Telemetry.ResponseReceived(response);
            if (!response.IsSuccessStatusCode)
            {
                throw await Api.ErrorAsync(response, operation, cancellationToken).ConfigureAwait(false);
            }

            var rows = await ReadArrayAsync(response, JobsJsonContext.Default.WatermarkRowArray, operation, cancellationToken).ConfigureAwait(false);
            return rows.Length == 0 ? null : rows[0].StartDate;
        }
    }

    private sealed class ListCall(JobsApi api, string url, string operation) : Call<IReadOnlyList<JobRecord>>(api)
    {
        public override string Operation => operation;

#if NET
        [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
#endif
        protected override async ValueTask<IReadOnlyList<JobRecord>> SendAsync(CancellationToken cancellationToken)
        {
            using var request = Api.CreateRequest(HttpMethod.Get, url, null);
            using var response = await Api._http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
            Telemetry.ResponseReceived(response);
            if (!response.IsSuccessStatusCode)
            {
                throw await Api.ErrorAsync(response, operation, cancellationToken).ConfigureAwait(false);
            }

            return await ReadArrayAsync(response, JobsJsonContext.Default.JobRecordArray, operation, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The POST of a new run. An attempt whose outcome is unknown may have committed the row, so every attempt after
    /// one looks the run up first and adopts it rather than inserting a second row.
    /// </summary>
    private sealed class InsertCall(JobsApi api, NewRun run, string operation) : Call<JobRecord>(api)
    {
        /// <summary>An earlier POST may have been committed although its response was lost.</summary>
        private bool _possiblyCommitted;

        public override string Operation => operation;

#if NET
        [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
#endif
        protected override async ValueTask<JobRecord> SendAsync(CancellationToken cancellationToken)
        {
            if (_possiblyCommitted)
            {
                var existing = await Api.FindStartedRunAsync(run, operation, cancellationToken).ConfigureAwait(false);
                if (existing is not null)
                {
                    Log.RunAdopted(Api._logger, run.Name, existing.Id);
                    return existing;
                }
            }

            HttpResponseMessage response;
            try
            {
                using var request = Api.CreateRequest(HttpMethod.Post, Api._table, JsonContent.Create(run, JobsJsonContext.Default.NewRun));
                response = await Api._http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
                Telemetry.ResponseReceived(response);
                if (!response.IsSuccessStatusCode)
                {
                    using (response)
                    {
                        throw await Api.ErrorAsync(response, operation, cancellationToken).ConfigureAwait(false);
                    }
                }
            }
            catch (JobsApiException e)
            {
                _possiblyCommitted |= ResponseErrors.OutcomeUnknown(e.Status);
                if (IsOverlapGuard(e))
                {
                    throw new JobAlreadyRunningException(run.Name, $"{operation} failed: another run of this job is still in progress (409, overlap guard [code 23505]). {e.ServerMessage}".TrimEnd())
                    {
                        ServerMessage = e.ServerMessage,
                        Details = e.Details,
                        Hint = e.Hint,
                    };
                }

                throw;
            }
            catch
            {
                // No response (refused, reset, timed out): the request may have reached the server and been committed.
                _possiblyCommitted = true;
                throw;
            }

            using (response)
            {
                var rows = await ReadArrayAsync(response, JobsJsonContext.Default.JobRecordArray, operation, cancellationToken).ConfigureAwait(false);
                return rows.Length == 1
                    ? rows[0]
                    : throw await ResponseErrors.UnexpectedBodyAsync(response, operation, "an array holding the one inserted row (is Prefer: return=representation honoured?)", null, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The PATCH that records a run's outcome; a PATCH that matched no row is <see cref="JobRunNotFoundException"/>.</summary>
    private sealed class UpdateCall(JobsApi api, long id, RunUpdate update) : Call<JobRecord>(api)
    {
        // Built only when a message or a retry log needs it.
        private string? _operation;

        public override string Operation => _operation ??= $"Recording the outcome of run {id}";

#if NET
        [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
#endif
        protected override async ValueTask<JobRecord> SendAsync(CancellationToken cancellationToken)
        {
            HttpResponseMessage response;
            using (var request = Api.CreateRequest(Patch, Api.RunUrl(id), JsonContent.Create(update, JobsJsonContext.Default.RunUpdate)))
            {
                response = await Api._http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
                Telemetry.ResponseReceived(response);
            }

            using (response)
            {
                if (!response.IsSuccessStatusCode)
                {
                    var error = await Api.ErrorAsync(response, Operation, cancellationToken).ConfigureAwait(false);

                    // PostgREST v6 to v10.0 answer a PATCH that matched no row with 404.
                    throw error.Status == 404 && error.ErrorCode is not ("PGRST205" or "42P01" or "PGRST125")
                        ? NotFound(id, 404, Operation)
                        : error;
                }

                var rows = await ReadArrayAsync(response, JobsJsonContext.Default.JobRecordArray, Operation, cancellationToken).ConfigureAwait(false);
                return rows.Length switch
                {
                    1 => rows[0],
                    0 => throw NotFound(id, (int)response.StatusCode, Operation),
                    _ => throw await ResponseErrors.UnexpectedBodyAsync(response, Operation, "an array holding the one updated row", null, cancellationToken).ConfigureAwait(false),
                };
            }
        }
    }
}
