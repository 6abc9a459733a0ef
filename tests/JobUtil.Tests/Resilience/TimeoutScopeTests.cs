using JobUtil.Internal;
using Microsoft.Extensions.Time.Testing;

namespace JobUtil.Tests.Resilience;

/// <summary>
/// The total and attempt timeouts are cancellation scopes whose sources are pooled on the system clock: a scope must
/// tell a timeout from the caller's cancellation, and a reused source must never arrive cancelled or re-fire.
/// </summary>
public class TimeoutScopeTests
{
    [Test]
    public void A_scope_times_out_on_its_clock_and_says_so()
    {
        var clock = new FakeTimeProvider();
        var scope = TimeoutScope.Start(clock, TimeSpan.FromSeconds(30), CancellationToken.None);

        clock.Advance(TimeSpan.FromSeconds(29));
        var before = scope.Token.IsCancellationRequested;
        clock.Advance(TimeSpan.FromSeconds(1));

        Assert.Multiple(() =>
        {
            Assert.That(before, Is.False);
            Assert.That(scope.Token.IsCancellationRequested, Is.True);
            Assert.That(scope.TimedOut, Is.True);
        });
        scope.Dispose();
    }

    [Test]
    public void The_outer_tokens_cancellation_cancels_the_scope_but_is_not_a_timeout()
    {
        using var caller = new CancellationTokenSource();
        var scope = TimeoutScope.Start(new FakeTimeProvider(), TimeSpan.FromSeconds(30), caller.Token);

        caller.Cancel();

        Assert.Multiple(() =>
        {
            Assert.That(scope.Token.IsCancellationRequested, Is.True);
            Assert.That(scope.TimedOut, Is.False);
        });
        scope.Dispose();
    }

    [Test]
    public void Without_a_timeout_the_scope_passes_the_outer_token_on()
    {
        using var caller = new CancellationTokenSource();
        var scope = TimeoutScope.Start(TimeProvider.System, Timeout.InfiniteTimeSpan, caller.Token);

        Assert.That(scope.Token, Is.EqualTo(caller.Token));
        scope.Dispose();
    }

    [Test]
    public void A_pooled_source_cancelled_by_its_caller_is_not_handed_out_again()
    {
        // Cancelled sources cannot be reset and must be dropped; finished ones are reset and reused.
        using (var caller = new CancellationTokenSource())
        {
            var cancelled = TimeoutScope.Start(TimeProvider.System, TimeSpan.FromMinutes(2), caller.Token);
            caller.Cancel();
            cancelled.Dispose();
        }

        var finished = Enumerable.Range(0, 64).Select(_ => TimeoutScope.Start(TimeProvider.System, TimeSpan.FromMinutes(2), CancellationToken.None)).ToList();
        finished.ForEach(s => s.Dispose());

        var next = Enumerable.Range(0, 128).Select(_ => TimeoutScope.Start(TimeProvider.System, TimeSpan.FromMinutes(2), CancellationToken.None)).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(next.Count(s => s.Token.IsCancellationRequested), Is.Zero);
            Assert.That(next.Count(s => s.TimedOut), Is.Zero);
        });
        next.ForEach(s => s.Dispose());
    }
}
