using Microsoft.Extensions.Time.Testing;

namespace JobUtil.Tests.Resilience;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that tells when a timer is created, so a test advances time only once the
/// retry delay it wants to observe is actually waiting (advancing earlier would be lost on a timer not yet made).
/// </summary>
internal sealed class ObservableClock : FakeTimeProvider
{
    private readonly object _gate = new();
    private readonly List<TimeSpan> _created = [];
    private readonly List<(TimeSpan Due, TaskCompletionSource<bool> Signal)> _waiting = [];

    public ObservableClock()
        : base(new DateTimeOffset(2024, 3, 1, 2, 0, 0, TimeSpan.Zero))
    {
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        lock (_gate)
        {
            _created.Add(dueTime);
            foreach (var waiter in _waiting.Where(w => w.Due == dueTime).ToList())
            {
                _waiting.Remove(waiter);
                waiter.Signal.TrySetResult(true);
            }
        }

        return timer;
    }

    /// <summary>Completes once a timer due after exactly <paramref name="due"/> exists (fails after a few real seconds).</summary>
    public Task WaitForTimerAsync(TimeSpan due)
    {
        lock (_gate)
        {
            if (_created.Contains(due))
            {
                _created.Remove(due);
                return Task.CompletedTask;
            }

            var signal = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiting.Add((due, signal));
            return signal.Task.WaitAsync(TimeSpan.FromSeconds(10));
        }
    }
}
