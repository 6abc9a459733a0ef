using System.Collections.Concurrent;
using System.Threading.Channels;
using Hangfire;
using Hangfire.Server;

namespace JobUtil.Hangfire.Tests;

/// <summary>What one execution's job method saw: its Hangfire job, its server, its run.</summary>
public sealed record Execution(string JobId, string? ServerId, TrackedRun? Run);

/// <summary>What Hangfire's filters saw once an execution was over: its job, and the exception it failed with.</summary>
public sealed record Completion(string JobId, string? ServerId, Exception? Exception);

/// <summary>
/// Shared by the test jobs, the servers and the test: every execution a job method saw, and every execution that ended,
/// in channels the test awaits with a deadline (no sleeps). <see cref="Filter"/> is a server filter outside JobUtil's (it
/// runs first and ends last), so an execution it reports has its run's outcome recorded already.
/// </summary>
public sealed class Signals
{
    private Channel<Completion> _completions = Channel.CreateUnbounded<Completion>();
    private Channel<Execution> _started = Channel.CreateUnbounded<Execution>();

    public Signals()
    {
        Filter = new CompletionFilter(this);
    }

    public ConcurrentQueue<Execution> Executions { get; private set; } = new();

    public IServerFilter Filter { get; }

    public void Record(PerformContext context, TrackedRun? run)
    {
        var execution = new Execution(context.BackgroundJob.Id, context.ServerId, run);
        Executions.Enqueue(execution);
        _started.Writer.TryWrite(execution);
    }

    /// <summary>Forgets every execution so far: for a server shared by several tests, each awaiting its own.</summary>
    public void Reset()
    {
        Executions = new();
        _completions = Channel.CreateUnbounded<Completion>();
        _started = Channel.CreateUnbounded<Execution>();
    }

    /// <summary>The next execution a job method started, within <paramref name="timeout"/>.</summary>
    public Task<Execution> NextStartedAsync(TimeSpan timeout) => ReadAsync(_started.Reader, timeout);

    /// <summary>The next execution that ended, within <paramref name="timeout"/>.</summary>
    public Task<Completion> NextAsync(TimeSpan timeout) => ReadAsync(_completions.Reader, timeout);

    /// <summary>The next <paramref name="count"/> executions that ended, each within <paramref name="timeout"/>.</summary>
    public async Task<List<Completion>> NextAsync(int count, TimeSpan timeout)
    {
        var completions = new List<Completion>();
        for (var i = 0; i < count; i++)
        {
            completions.Add(await NextAsync(timeout));
        }

        return completions;
    }

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

    private sealed class CompletionFilter(Signals signals) : IServerFilter
    {
        public void OnPerforming(PerformingContext context)
        {
        }

        public void OnPerformed(PerformedContext context)
        {
            var exception = context.Exception is JobPerformanceException { InnerException: { } inner } ? inner : context.Exception;
            signals._completions.Writer.TryWrite(new Completion(context.BackgroundJob.Id, context.ServerId, exception));
        }
    }
}
