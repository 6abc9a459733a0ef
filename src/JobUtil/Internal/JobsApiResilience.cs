using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace JobUtil.Internal;

/// <summary>
/// Builds the one resilience pipeline every operation goes through, outermost first: the total timeout
/// (<see cref="JobOptions.TotalTimeout"/>), the retry (transient failures only, exponential backoff with jitter,
/// <c>Retry-After</c> honoured and capped), and the timeout of each attempt (<see cref="JobOptions.AttemptTimeout"/>).
/// All three are Polly strategies on the job's <see cref="TimeProvider"/>.
/// </summary>
internal static class JobsApiResilience
{
    /// <summary>Set on the context when the total timeout fired, so the failure can name the option that ran out.</summary>
    public static readonly ResiliencePropertyKey<bool> TotalTimedOut = new("JobUtil.TotalTimedOut");

    public static ResiliencePipeline Build(JobOptions options, TimeProvider timeProvider, ILogger logger, string jobName)
    {
        var builder = new ResiliencePipelineBuilder { TimeProvider = timeProvider, Name = "JobUtil" };

        // Timeout.InfiniteTimeSpan means no limit: no strategy at all.
        if (options.TotalTimeout != Timeout.InfiniteTimeSpan)
        {
            builder.AddTimeout(new TimeoutStrategyOptions
            {
                Name = "TotalTimeout",
                Timeout = options.TotalTimeout,
                OnTimeout = static args =>
                {
                    args.Context.Properties.Set(TotalTimedOut, true);
                    return default;
                },
            });
        }

        if (options.MaxRetryAttempts > 0)
        {
            builder.AddRetry(Retry(options, logger, jobName));
        }

        if (options.AttemptTimeout != Timeout.InfiniteTimeSpan)
        {
            builder.AddTimeout(new TimeoutStrategyOptions { Name = "AttemptTimeout", Timeout = options.AttemptTimeout });
        }

        return builder.Build();
    }

    private static RetryStrategyOptions Retry(JobOptions options, ILogger logger, string jobName)
    {
        var maxDelay = options.MaxRetryDelay;
        return new RetryStrategyOptions
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
        };
    }

    /// <summary>No response (refused, reset, attempt timeout) or a transient status; never a cancellation from outside the attempt.</summary>
    internal static bool IsTransient(Exception? exception, CancellationToken operationToken) => exception switch
    {
        null => false,
        JobsApiException api => api.IsTransient,
        TimeoutRejectedException => true,
        HttpRequestException => true,
        IOException => true,

        // HttpClient.Timeout elapsing, not the caller cancelling nor the total timeout.
        OperationCanceledException => !operationToken.IsCancellationRequested,
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
