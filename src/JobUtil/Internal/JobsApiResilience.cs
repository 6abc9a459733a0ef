#if NET
using System.Diagnostics.CodeAnalysis;
#endif
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace JobUtil.Internal;

/// <summary>
/// Builds the retry pipeline every operation goes through: transient failures only, exponential backoff with jitter,
/// <c>Retry-After</c> honoured and capped. The total and attempt timeouts around and inside it are
/// <see cref="TimeoutScope"/>s in <see cref="JobsApi"/>, which cost no async frame of their own.
/// </summary>
internal static class JobsApiResilience
{
    /// <summary>
    /// The pipeline, typed by result: a typed retry needs no conversion of each outcome to and from
    /// <see cref="object"/>. Null when retries are off.
    /// </summary>
#if NET
    // Polly's typed retry validates its options by reflection over TResult.
    public static ResiliencePipeline<TResult>? Build<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.All)] TResult>(JobOptions options, TimeProvider timeProvider, ILogger logger, string jobName)
#else
    public static ResiliencePipeline<TResult>? Build<TResult>(JobOptions options, TimeProvider timeProvider, ILogger logger, string jobName)
#endif
    {
        if (options.MaxRetryAttempts <= 0)
        {
            return null;
        }

        return new ResiliencePipelineBuilder<TResult> { TimeProvider = timeProvider, Name = "JobUtil" }
            .AddRetry(ConfigureRetry<RetryStrategyOptions<TResult>, TResult>(new RetryStrategyOptions<TResult>(), options, logger, jobName))
            .Build();
    }

    private static TRetryOptions ConfigureRetry<TRetryOptions, TResult>(TRetryOptions retry, JobOptions options, ILogger logger, string jobName)
        where TRetryOptions : RetryStrategyOptions<TResult>
    {
        var maxDelay = options.MaxRetryDelay;
        retry.Name = "Retry";
        retry.MaxRetryAttempts = options.MaxRetryAttempts;
        retry.BackoffType = DelayBackoffType.Exponential;
        retry.UseJitter = true;
        retry.Delay = options.RetryBaseDelay;
        retry.MaxDelay = maxDelay;
        retry.ShouldHandle = static args => new ValueTask<bool>(IsTransient(args.Outcome.Exception, args.Context.CancellationToken));
        retry.DelayGenerator = args => new ValueTask<TimeSpan?>(
            args.Outcome.Exception is JobsApiException { RetryAfter: { } retryAfter }
                ? (retryAfter > maxDelay ? maxDelay : retryAfter)
                : null);
        retry.OnRetry = args =>
        {
            Log.RetryScheduled(
                logger,
                args.Context.OperationKey ?? "Request",
                jobName,
                args.AttemptNumber + 1,
                Describe(args.Outcome.Exception),
                args.RetryDelay.TotalMilliseconds);
            return default;
        };
        return retry;
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
