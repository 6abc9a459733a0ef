using Microsoft.Extensions.Time.Testing;

namespace JobUtil.Tests.Resilience;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that tells when a timer is armed (made, or re-armed with <c>Change</c> as a
/// pooled <see cref="CancellationTokenSource"/> is), so a test advances time only once the wait it wants to observe is
/// actually running (advancing earlier would be lost on a timer not yet armed).
/// </summary>
internal sealed class ObservableClock : FakeTimeProvider
{
    private readonly object _gate = new();
    private readonly List<TimeSpan> _armed = [];
    private readonly List<(TimeSpan Due, TaskCompletionSource<bool> Signal)> _waiting = [];

    public ObservableClock()
        : base(new DateTimeOffset(2024, 3, 1, 2, 0, 0, TimeSpan.Zero))
    {
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ObservedTimer(base.CreateTimer(callback, state, dueTime, period), this);
        Armed(dueTime);
        return timer;
    }

    /// <summary>Forgets the timers armed so far: a later wait sees only timers armed after this call.</summary>
    public void ForgetTimers()
    {
        lock (_gate)
        {
            _armed.Clear();
        }
    }

    /// <summary>Completes once a timer due after exactly <paramref name="due"/> is armed (fails after a few real seconds).</summary>
    public Task WaitForTimerAsync(TimeSpan due)
    {
        lock (_gate)
        {
            if (_armed.Contains(due))
            {
                _armed.Remove(due);
                return Task.CompletedTask;
            }

            var signal = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiting.Add((due, signal));
            return signal.Task.WaitAsync(TimeSpan.FromSeconds(10));
        }
    }

    private void Armed(TimeSpan dueTime)
    {
        if (dueTime == Timeout.InfiniteTimeSpan)
        {
            return;
        }

        lock (_gate)
        {
            var waiter = _waiting.FirstOrDefault(w => w.Due == dueTime);
            if (waiter.Signal is not null)
            {
                _waiting.Remove(waiter);
                waiter.Signal.TrySetResult(true);
            }
            else
            {
                _armed.Add(dueTime);
            }
        }
    }

    private sealed class ObservedTimer(ITimer inner, ObservableClock clock) : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            var changed = inner.Change(dueTime, period);
            clock.Armed(dueTime);
            return changed;
        }

        public void Dispose() => inner.Dispose();

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
