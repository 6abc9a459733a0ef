using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;

namespace JobUtil.Benchmarks;

/// <summary>
/// Each SDK operation beside the hand-written baseline that makes the same request, one at a time, over a warm
/// connection. The SDK runs through its public API with its default pipeline (timeouts and retries armed).
/// </summary>
[Config(typeof(OperationConfig))]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class OperationBenchmarks
{
    private LoopbackFixture _fixture = null!;
    private Job _watermarkJob = null!;
    private Job _cycleJob = null!;
    private Job[] _unstarted = [];
    private int _nextUnstarted;
    private Job[] _started = [];
    private int _nextStarted;

    [GlobalSetup]
    public void Setup()
    {
        _fixture = LoopbackFixture.Start();
        _watermarkJob = _fixture.NewJob();
        _cycleJob = _fixture.NewJob();

        var probe = _fixture.NewJob();
        _fixture.EnsureSameRequests(() => probe.MostRecentAsync(), () => _fixture.Raw.MostRecentAsync());
        _fixture.EnsureSameRequests(() => probe.StartAsync(), () => _fixture.Raw.StartAsync());
        _fixture.EnsureSameRequests(() => probe.ResultAsync(JobStatus.Success, 503), () => _fixture.Raw.ResultAsync(42, "success", 503, null));
    }

    /// <summary>
    /// One job tracks one run and refuses to start while it is in progress, so each measured start gets a job that
    /// has not started yet, made here, outside the measurement.
    /// </summary>
    [IterationSetup(Target = nameof(Sdk_Start))]
    public void MakeUnstartedJobs()
    {
        _unstarted = new Job[OperationConfig.InvocationsPerIteration];
        for (var i = 0; i < _unstarted.Length; i++)
        {
            _unstarted[i] = _fixture.NewJob();
        }

        _nextUnstarted = 0;
    }

    /// <summary>A run records one outcome, so each measured result gets a job whose run is started here, outside the measurement.</summary>
    [IterationSetup(Target = nameof(Sdk_Result))]
    public void MakeStartedJobs()
    {
        _started = new Job[OperationConfig.InvocationsPerIteration];
        for (var i = 0; i < _started.Length; i++)
        {
            _started[i] = _fixture.NewJob();
            _started[i].StartAsync().GetAwaiter().GetResult();
        }

        _nextStarted = 0;
    }

    [GlobalCleanup]
    public void Cleanup() => _fixture.DisposeAsync().AsTask().GetAwaiter().GetResult();

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("MostRecentAsync")]
    public Task<DateTimeOffset?> Raw_MostRecent() => _fixture.Raw.MostRecentAsync();

    [Benchmark]
    [BenchmarkCategory("MostRecentAsync")]
    public Task<DateTimeOffset?> Sdk_MostRecent() => _watermarkJob.MostRecentAsync();

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("StartAsync")]
    public Task<Baseline.RawJobRow> Raw_Start() => _fixture.Raw.StartAsync();

    [Benchmark]
    [BenchmarkCategory("StartAsync")]
    public Task<JobRecord> Sdk_Start() => _unstarted[_nextUnstarted++].StartAsync();

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("ResultAsync")]
    public Task<Baseline.RawJobRow> Raw_Result() => _fixture.Raw.ResultAsync(42, "success", 503, null);

    [Benchmark]
    [BenchmarkCategory("ResultAsync")]
    public Task<JobRecord> Sdk_Result() => _started[_nextStarted++].ResultAsync(JobStatus.Success, 503);

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Start+Result")]
    public async Task<Baseline.RawJobRow> Raw_Cycle()
    {
        var run = await _fixture.Raw.StartAsync().ConfigureAwait(false);
        return await _fixture.Raw.ResultAsync(run.Id, "success", 503, null).ConfigureAwait(false);
    }

    [Benchmark]
    [BenchmarkCategory("Start+Result")]
    public async Task<JobRecord> Sdk_Cycle()
    {
        await _cycleJob.StartAsync().ConfigureAwait(false);
        return await _cycleJob.ResultAsync(JobStatus.Success, 503).ConfigureAwait(false);
    }
}
