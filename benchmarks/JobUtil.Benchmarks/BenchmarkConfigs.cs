using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BdnJob = BenchmarkDotNet.Jobs.Job;

namespace JobUtil.Benchmarks;

/// <summary>
/// A short job for the one-operation benchmarks. One loopback round trip takes tens of microseconds, so 256 calls make
/// an iteration of roughly 10 to 50 ms: long enough that timer resolution and one scheduler hiccup do not matter,
/// short enough that 3 warm-up and 15 measured iterations of all eight methods finish in a few minutes. The count
/// is fixed (no pilot stage) because the start benchmark prepares exactly that many unstarted jobs per iteration.
/// Fifteen iterations rather than ShortRun's three: on a shared machine the median of fifteen is what keeps the ratios
/// stable.
/// </summary>
internal sealed class OperationConfig : ManualConfig
{
    public const int InvocationsPerIteration = 256;

    public OperationConfig()
    {
        AddJob(BdnJob.Default
            .WithId("Loopback")
            .WithLaunchCount(1)
            .WithWarmupCount(3)
            .WithIterationCount(15)
            .WithInvocationCount(InvocationsPerIteration)
            .WithUnrollFactor(1));
        AddDiagnoser(MemoryDiagnoser.Default);
        AddColumn(StatisticColumn.Median);
    }
}

/// <summary>
/// One invocation is 10,000 cycles (a second or more), so it is its own iteration: one warm-up (connections
/// opened, code jitted) and five measured. The result is reported per cycle and as operations per second.
/// </summary>
internal sealed class ConcurrencyConfig : ManualConfig
{
    public ConcurrencyConfig()
    {
        AddJob(BdnJob.Default
            .WithId("32Concurrent")
            .WithLaunchCount(1)
            .WithWarmupCount(1)
            .WithIterationCount(5)
            .WithInvocationCount(1)
            .WithUnrollFactor(1));
        AddDiagnoser(MemoryDiagnoser.Default);
        AddColumn(StatisticColumn.OperationsPerSecond);
    }
}
