using BenchmarkDotNet.Attributes;

namespace JobUtil.Benchmarks;

/// <summary>
/// 10,000 start+result cycles, 32 at a time, all over one shared <see cref="HttpClient"/>. Any failed cycle, or a
/// client that opens connections instead of reusing them, fails the benchmark.
/// </summary>
[Config(typeof(ConcurrencyConfig))]
public class ConcurrencyBenchmarks
{
    public const int Cycles = 10_000;
    public const int Concurrency = 32;

    private LoopbackFixture _fixture = null!;
    private Job[] _jobs = [];

    [GlobalSetup]
    public void Setup()
    {
        _fixture = LoopbackFixture.Start();
        _jobs = Enumerable.Range(0, Concurrency).Select(_ => _fixture.NewJob()).ToArray();
    }

    [GlobalCleanup]
    public void Cleanup() => _fixture.DisposeAsync().AsTask().GetAwaiter().GetResult();

    [Benchmark(Baseline = true, OperationsPerInvoke = Cycles)]
    public Task Raw_32Concurrent() => RunAsync(async _ =>
    {
        var run = await _fixture.Raw.StartAsync().ConfigureAwait(false);
        await _fixture.Raw.ResultAsync(run.Id, "success", 503, null).ConfigureAwait(false);
    });

    [Benchmark(OperationsPerInvoke = Cycles)]
    public Task Sdk_32Concurrent() => RunAsync(async worker =>
    {
        var job = _jobs[worker];
        await job.StartAsync().ConfigureAwait(false);
        await job.ResultAsync(JobStatus.Success, 503).ConfigureAwait(false);
    });

    private async Task RunAsync(Func<int, Task> cycle)
    {
        var issued = 0;
        var failed = 0;
        Exception? firstFailure = null;

        async Task WorkerAsync(int worker)
        {
            await Task.Yield();
            while (Interlocked.Increment(ref issued) <= Cycles)
            {
                try
                {
                    await cycle(worker).ConfigureAwait(false);
                }
                catch (Exception e)
                {
                    Interlocked.Increment(ref failed);
                    Interlocked.CompareExchange(ref firstFailure, e, null);
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, Concurrency).Select(WorkerAsync)).ConfigureAwait(false);

        if (failed > 0)
        {
            throw new InvalidOperationException($"{failed} of {Cycles} cycles failed.", firstFailure);
        }

        // Pooled connections stay near one per concurrent job; more means sockets are being churned.
        if (_fixture.Stub.Connections > Concurrency * 2)
        {
            throw new InvalidOperationException($"The client opened {_fixture.Stub.Connections} connections for {Concurrency} concurrent jobs.");
        }
    }
}
