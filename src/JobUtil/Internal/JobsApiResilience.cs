#if NET
using System.Diagnostics.CodeAnalysis;
#endif
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
        AddTotalTimeout(builder, options);
        if (options.MaxRetryAttempts > 0)
        {
            builder.AddRetry(ConfigureRetry<RetryStrategyOptions, object>(new RetryStrategyOptions(), options, logger, jobName));
        }

        AddAttemptTimeout(builder, options);
        return builder.Build();
    }

    /// <summary>
    /// The same pipeline, typed by result: a typed retry needs no conversion of each outcome to and from
    /// <see cref="object"/>, which saves several allocations per request.
    /// </summary>
#if NET
    // Polly's typed retry validates its options by reflection over TResult.
    public static ResiliencePipeline<TResult> Build<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.All)] TResult>(JobOptions options, TimeProvider timeProvider, ILogger logger, string jobName)
#else
    public static ResiliencePipeline<TResult> Build<TResult>(JobOptions options, TimeProvider timeProvider, ILogger logger, string jobName)
#endif
    {
        var builder = new ResiliencePipelineBuilder<TResult> { TimeProvider = timeProvider, Name = "JobUtil" };
        AddTotalTimeout(builder, options);
        if (options.MaxRetryAttempts > 0)
        {
            builder.AddRetry(ConfigureRetry<RetryStrategyOptions<TResult>, TResult>(new RetryStrategyOptions<TResult>(), options, logger, jobName));
        }

        AddAttemptTimeout(builder, options);
        return builder.Build();
    }

    private static void AddTotalTimeout<TBuilder>(TBuilder builder, JobOptions options)
        where TBuilder : ResiliencePipelineBuilderBase
    {
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
    }

    private static void AddAttemptTimeout<TBuilder>(TBuilder builder, JobOptions options)
        where TBuilder : ResiliencePipelineBuilderBase
    {
        if (options.AttemptTimeout != Timeout.InfiniteTimeSpan)
        {
            builder.AddTimeout(new TimeoutStrategyOptions { Name = "AttemptTimeout", Timeout = options.AttemptTimeout });
        }
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
