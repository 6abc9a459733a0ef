using System.Collections.Concurrent;
using System.Threading.Channels;
using Quartz;

namespace JobUtil.Quartz.Tests;

/// <summary>What one firing did, as the job saw it.</summary>
internal sealed record Execution(JobKey Job, string InstanceId, DateTimeOffset? ScheduledFireTime, TrackedRun? Run, DateTimeOffset? Watermark, long? RunId);

/// <summary>What Quartz reported once a firing was over: its exception, or that it was vetoed.</summary>
internal sealed record Completion(JobKey Job, JobExecutionException? Exception, bool Vetoed);

/// <summary>
/// Shared by the test jobs and the test: every execution the jobs saw, and every completion Quartz reported, in a
/// channel the test awaits (no sleeps).
/// </summary>
internal sealed class Firings : IJobListener
{
    private readonly Channel<Completion> _completions = Channel.CreateUnbounded<Completion>();
    private readonly Channel<Execution> _started = Channel.CreateUnbounded<Execution>();

    public ConcurrentQueue<Execution> Executions { get; } = new();

    public string Name => "jobutil-tests-firings";

    public void Record(IJobExecutionContext context)
    {
        var run = context.TryGetTrackedRun(out var r) ? r : null;
        var execution = new Execution(context.JobDetail.Key, context.Scheduler.SchedulerInstanceId, context.ScheduledFireTimeUtc, run, run?.Watermark, run?.RunId);
        Executions.Enqueue(execution);
        _started.Writer.TryWrite(execution);
    }

    /// <summary>The next execution a job started, within <paramref name="timeout"/>.</summary>
    public Task<Execution> NextStartedAsync(TimeSpan timeout) => ReadAsync(_started.Reader, timeout);

    /// <summary>The next completed or vetoed firing, within <paramref name="timeout"/>.</summary>
    public Task<Completion> NextAsync(TimeSpan timeout) => ReadAsync(_completions.Reader, timeout);

    private static async Task<T> ReadAsync<T>(ChannelReader<T> reader, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            return await reader.ReadAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"Nothing happened within {timeout.TotalSeconds} s.");
        }
    }

    public ValueTask JobToBeExecuted(IJobExecutionContext context, CancellationToken cancellationToken = default) => default;

    public ValueTask JobExecutionVetoed(IJobExecutionContext context, CancellationToken cancellationToken = default)
        => _completions.Writer.WriteAsync(new Completion(context.JobDetail.Key, null, Vetoed: true), cancellationToken);

    public ValueTask JobWasExecuted(IJobExecutionContext context, JobExecutionException? jobException, CancellationToken cancellationToken = default)
        => _completions.Writer.WriteAsync(new Completion(context.JobDetail.Key, jobException, Vetoed: false), cancellationToken);

    public ValueTask JobProgressChanged(IJobExecutionContext context, global::Quartz.Extensibility.FireInstanceProgress progress, CancellationToken cancellationToken = default) => default;
}
