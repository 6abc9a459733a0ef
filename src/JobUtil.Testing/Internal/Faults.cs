namespace JobUtil.Testing.Internal;

/// <summary>When an injected fault strikes: before the request is handled, or after a write has been committed.</summary>
internal enum FaultStage
{
    BeforeHandling,
    AfterCommit,
}

/// <summary>One planned fault: the next <see cref="Remaining"/> requests (of <see cref="Method"/>, or any) fail or wait.</summary>
internal sealed class Fault
{
    public required FaultStage Stage { get; init; }

    public string? Method { get; init; }

    /// <summary>The status to answer with; null to answer normally after <see cref="Delay"/>; 0 to drop the connection.</summary>
    public int? Status { get; init; }

    public TimeSpan? RetryAfter { get; init; }

    public TimeSpan Delay { get; init; }

    /// <summary>When set, the answer waits for this task instead of <see cref="Delay"/>.</summary>
    public Task? Until { get; init; }

    /// <summary>When set, the answer instead of the normal one, built from the reply the request earned (null before handling).</summary>
    public Func<Reply?, Reply>? Answer { get; init; }

    public int Remaining { get; set; }
}

/// <summary>The planned faults, consumed in the order they were added. Thread-safe.</summary>
internal sealed class Faults
{
    private readonly object _gate = new();
    private readonly List<Fault> _planned = [];

    public void Add(Fault fault)
    {
        lock (_gate)
        {
            _planned.Add(fault);
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            _planned.Clear();
        }
    }

    /// <summary>Takes one use of the first fault of <paramref name="stage"/> that applies to <paramref name="method"/>.</summary>
    public Fault? Take(FaultStage stage, string method)
    {
        lock (_gate)
        {
            var fault = _planned.Find(f => f.Stage == stage && f.Remaining > 0 && (f.Method is null || string.Equals(f.Method, method, StringComparison.OrdinalIgnoreCase)));
            if (fault is null)
            {
                return null;
            }

            if (--fault.Remaining == 0)
            {
                _planned.Remove(fault);
            }

            return fault;
        }
    }
}
