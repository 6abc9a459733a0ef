using Microsoft.Extensions.Logging;

namespace JobUtil.Internal;

/// <summary>
/// The heartbeats of one run: a timer on the job's clock that records <c>heartbeat_at</c> at each interval, until
/// stopped. A heartbeat still in flight when the next is due is not doubled; a failed one is logged, never thrown.
/// </summary>
internal sealed class Heartbeat : IDisposable
{
    private readonly JobsApi _api;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _jobName;
    private readonly long _runId;
    private readonly CancellationTokenSource _stopped = new();
    private readonly ITimer _timer;
    private int _inFlight;
    private int _disposed;

    public Heartbeat(JobsApi api, TimeProvider time, ILogger logger, string jobName, long runId, TimeSpan interval)
    {
        _api = api;
        _time = time;
        _logger = logger;
        _jobName = jobName;
        _runId = runId;
        _timer = time.CreateTimer(static state => ((Heartbeat)state!).Beat(), this, interval, interval);
    }

    /// <summary>The heartbeat in flight or last sent; completes without throwing. For tests.</summary>
    internal Task Last { get; private set; } = Task.CompletedTask;

    /// <summary>Stops the timer and cancels a heartbeat in flight.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _timer.Dispose();
        _stopped.Cancel();
        _stopped.Dispose();
    }

    private void Beat()
    {
        if (Volatile.Read(ref _disposed) != 0 || Interlocked.Exchange(ref _inFlight, 1) != 0)
        {
            return;
        }

        Last = BeatAsync();
    }

    private async Task BeatAsync()
    {
        try
        {
            CancellationToken token;
            try
            {
                token = _stopped.Token;
            }
            catch (ObjectDisposedException)
            {
                return;
            }

            await _api.HeartbeatAsync(_runId, RunRules.Now(_time), token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (Volatile.Read(ref _disposed) != 0)
        {
            // Stopped: the outcome is being recorded, or the handle was disposed.
        }
        catch (Exception e)
        {
            Log.HeartbeatFailed(_logger, e, _jobName, _runId);
        }
        finally
        {
            Volatile.Write(ref _inFlight, 0);
        }
    }
}
