namespace JobUtil.Lifecycle.Tests.Hosts;

/// <summary>What the work of a run does, the same for every host.</summary>
public abstract record Work
{
    /// <summary>The work succeeds and reports <paramref name="Count"/> records (none when null).</summary>
    public sealed record Succeed(long? Count) : Work;

    /// <summary>The work fails, saying <paramref name="Message"/>.</summary>
    public sealed record Fail(string Message) : Work;

    /// <summary>The work runs until the host cancels it its own way (its token, a scheduler's interrupt).</summary>
    public sealed record WaitForCancellation : Work;
}

/// <summary>One run for a host to drive: job <c>orders</c> (source <c>crm</c>, destination <c>warehouse</c>) against <paramref name="Url"/>.</summary>
public sealed record HostRun(string Url, Work Work, TimeSpan Lookback = default, TimeProvider? Clock = null, TimeSpan? OutcomeTimeout = null)
{
    public const string JobName = "orders";

    /// <summary>The settings every host gives the library.</summary>
    public void Configure(JobOptions options)
    {
        options.Url = Url;
        options.Source = "crm";
        options.Destination = "warehouse";
        options.MaxRetryAttempts = 0;
        options.WatermarkLookback = Lookback;
        if (OutcomeTimeout is { } timeout)
        {
            options.OutcomeTimeout = timeout;
        }
    }
}

/// <summary>
/// What one run looked like from the host: whether the work ran, the watermark it was given, whether the host reported
/// a failure (a thrown exception, a failed firing, a non-zero exit code), and what it said could not be recorded.
/// </summary>
public sealed record HostResult(bool WorkRan, DateTimeOffset? Since, bool Failed, string? RecordingFailure);

/// <summary>
/// A host of the run lifecycle (an adapter over <see cref="Job.BeginRunAsync"/> and the run handle), driven the same
/// way by every case of <see cref="LifecycleMatrixTests"/>. A new host (Hangfire, say) adds one subclass and lists it in
/// <see cref="All"/>.
/// </summary>
public abstract class LifecycleHost
{
    /// <summary>Every host the matrix runs.</summary>
    public static IReadOnlyList<LifecycleHost> All { get; } = [new RunAsyncHost(), new CliRunHost(), new QuartzHost()];

    public abstract string Name { get; }

    /// <summary>
    /// Whether the host has a cancellation of its own that reaches the work (a token), which the library records as
    /// "The run was cancelled.".
    /// </summary>
    public virtual bool CancelsWork => true;

    /// <summary>Whether the host's jobs run on a clock the test gives them (for the outcome timeout).</summary>
    public virtual bool TakesAClock => true;

    /// <summary>The message the host has recorded for <see cref="Work.Fail"/>, before the library bounds it.</summary>
    public abstract string FailureMessage(string message);

    /// <summary>Runs one run; returns once the host is done with it.</summary>
    public abstract Task<HostResult> RunAsync(HostRun run);

    public override string ToString() => Name;

    /// <summary>The work of a host whose jobs are .NET code: the count to report, or the failure.</summary>
    protected static async Task<long?> WorkAsync(Work work, Action cancel, CancellationToken cancellationToken)
    {
        switch (work)
        {
            case Work.Succeed succeed:
                return succeed.Count;
            case Work.Fail fail:
                throw new InvalidDataException(fail.Message);
            default:
                cancel();
                await Task.Delay(Timeout.Infinite, cancellationToken);
                return null;
        }
    }

    /// <summary>What <see cref="Job.RecordingFailureKey"/> holds in <paramref name="failure"/>'s data, as text.</summary>
    protected static string? RecordingFailureOf(Exception? failure)
        => (failure?.Data[Job.RecordingFailureKey] as Exception)?.Message;
}
