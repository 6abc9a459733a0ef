using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace JobUtil.Internal;

/// <summary>
/// Builds the one resilience pipeline every request goes through: a total timeout around retries (transient
/// failures only, exponential backoff with jitter, <c>Retry-After</c> honoured and capped) around a per-attempt timeout.
/// </summary>
internal static class JobsApiResilience
{
    /// <summary>Set on the operation's context when the total timeout, not an attempt timeout, ended it.</summary>
    public static readonly ResiliencePropertyKey<bool> TotalTimeoutElapsed = new("JobUtil.TotalTimeoutElapsed");

    public static ResiliencePipeline Build(JobOptions options, TimeProvider timeProvider, ILogger logger, string jobName)
    {
        var builder = new ResiliencePipelineBuilder { TimeProvider = timeProvider, Name = "JobUtil" };

        if (options.TotalTimeout != Timeout.InfiniteTimeSpan)
        {
            builder.AddTimeout(new TimeoutStrategyOptions
            {
                Name = "TotalTimeout",
                Timeout = options.TotalTimeout,

                // Both timeouts throw the same exception type, and their durations may be equal: mark which one fired.
                OnTimeout = static args =>
                {
                    args.Context.Properties.Set(TotalTimeoutElapsed, true);
                    return default;
                },
            });
        }

        if (options.MaxRetryAttempts > 0)
        {
            var maxDelay = options.MaxRetryDelay;
            builder.AddRetry(new RetryStrategyOptions
            {
                Name = "Retry",
                MaxRetryAttempts = options.MaxRetryAttempts,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryBaseDelay,
                MaxDelay = maxDelay,
                ShouldHandle = static args => new ValueTask<bool>(IsTransient(args.Outcome.Exception, args.Context.CancellationToken)),
                DelayGenerator = args => new ValueTask<TimeSpan?>(
                    args.Outcome.Exception is JobsApiException { RetryAfter: { } retryAfter }
                        ? (retryAfter > maxDelay ? maxDelay : retryAfter)
                        : null),
                OnRetry = args =>
                {
                    Log.RetryScheduled(
                        logger,
                        args.Context.OperationKey ?? "Request",
                        jobName,
                        args.AttemptNumber + 1,
                        Describe(args.Outcome.Exception),
                        args.RetryDelay.TotalMilliseconds);
                    return default;
                },
            });
        }

        if (options.AttemptTimeout != Timeout.InfiniteTimeSpan)
        {
            builder.AddTimeout(new TimeoutStrategyOptions { Name = "AttemptTimeout", Timeout = options.AttemptTimeout });
        }

        return builder.Build();
    }

    /// <summary>No response (refused, reset, attempt timeout) or a transient status; never the caller's cancellation.</summary>
    internal static bool IsTransient(Exception? exception, CancellationToken callerToken) => exception switch
    {
        null => false,
        JobsApiException api => api.IsTransient,
        TimeoutRejectedException => true,
        HttpRequestException => true,
        IOException => true,

        // HttpClient.Timeout elapsing, not the caller cancelling.
        OperationCanceledException => !callerToken.IsCancellationRequested,
        _ => false,
    };

    internal static string Describe(Exception? exception) => exception switch
    {
        JobsApiException { Status: > 0 } api => $"HTTP {api.Status}" + (api.ErrorCode is null ? string.Empty : $" ({api.ErrorCode})"),
        TimeoutRejectedException timeout => $"no response within {timeout.Timeout.TotalSeconds:0.###} s",
        null => "no result",
        _ => exception.GetType().Name,
    };
}
