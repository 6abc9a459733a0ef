#if NET
using System.Collections.Concurrent;
#endif

namespace JobUtil.Internal;

/// <summary>
/// A timeout as cancellation: a token that is cancelled when <c>timeout</c> elapses on the clock or when the outer token
/// is cancelled, and afterwards whether it was the timeout that fired. Used for the total timeout of an operation and
/// for the timeout of each attempt, as Polly's timeout strategy does it, but without an async frame per use: on the
/// system clock the sources are pooled and re-armed, so a scope allocates nothing once warm.
/// </summary>
internal readonly struct TimeoutScope : IDisposable
{
    private readonly CancellationTokenSource? _source;
    private readonly CancellationTokenRegistration _registration;
    private readonly CancellationToken _outer;

    private TimeoutScope(CancellationTokenSource? source, CancellationTokenRegistration registration, CancellationToken outer)
    {
        _source = source;
        _registration = registration;
        _outer = outer;
    }

    /// <summary>The token to pass on: the outer one when there is no timeout.</summary>
    public CancellationToken Token => _source?.Token ?? _outer;

    /// <summary>
    /// The timeout fired and the outer token was not cancelled: a cancellation seen under this scope is a timeout.
    /// Read it before <see cref="Dispose"/>, which hands the source back to the pool.
    /// </summary>
    public bool TimedOut => _source is { IsCancellationRequested: true } && !_outer.IsCancellationRequested;

    /// <param name="time">The clock the timeout runs on.</param>
    /// <param name="timeout">How long until cancellation; <see cref="Timeout.InfiniteTimeSpan"/> for none.</param>
    /// <param name="outer">A token whose cancellation cancels this scope's token too.</param>
    public static TimeoutScope Start(TimeProvider time, TimeSpan timeout, CancellationToken outer)
    {
        if (timeout == Timeout.InfiniteTimeSpan)
        {
            return new TimeoutScope(null, default, outer);
        }

        var source = Sources.Rent(time, timeout);
        var registration = outer.CanBeCanceled
            ? outer.Register(static s => ((CancellationTokenSource)s!).Cancel(), source)
            : default;
        return new TimeoutScope(source, registration, outer);
    }

    public void Dispose()
    {
        if (_source is null)
        {
            return;
        }

        // Waits for a running cancellation callback, so a pooled source is never cancelled by a stale registration.
        _registration.Dispose();
        Sources.Return(_source);
    }

    private static class Sources
    {
#if NET
        private const int MaxPooled = 256;
        private static readonly ConcurrentQueue<CancellationTokenSource> Pool = new();
        private static int _pooled;

        public static CancellationTokenSource Rent(TimeProvider time, TimeSpan timeout)
        {
            if (time != TimeProvider.System)
            {
                // A test clock: its own timer, as Polly creates one.
                return new CancellationTokenSource(timeout, time);
            }

            if (Pool.TryDequeue(out var source))
            {
                Interlocked.Decrement(ref _pooled);
            }
            else
            {
                source = new CancellationTokenSource();
            }

            // A reset source keeps its timer: re-arming it allocates nothing.
            source.CancelAfter(timeout);
            return source;
        }

        public static void Return(CancellationTokenSource source)
        {
            // A source that was cancelled cannot be reused; TryReset also disarms the timer of one that was not.
            if (source.TryReset())
            {
                if (Interlocked.Increment(ref _pooled) <= MaxPooled)
                {
                    Pool.Enqueue(source);
                    return;
                }

                Interlocked.Decrement(ref _pooled);
            }

            source.Dispose();
        }
#else
        public static CancellationTokenSource Rent(TimeProvider time, TimeSpan timeout) => time.CreateCancellationTokenSource(timeout);

        public static void Return(CancellationTokenSource source) => source.Dispose();
#endif
    }
}
