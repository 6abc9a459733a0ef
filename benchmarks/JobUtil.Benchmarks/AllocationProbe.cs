using System.Diagnostics;

namespace JobUtil.Benchmarks;

/// <summary>
/// A quick check of bytes allocated per operation, SDK beside baseline, without BenchmarkDotNet: a few thousand
/// sequential calls after warm-up, measured with <see cref="GC.GetTotalAllocatedBytes(bool)"/>. Allocations do not
/// depend on the machine's load, so this answers in seconds what a full run answers in minutes. Times are printed
/// too but are only indicative. Run with <c>-- --allocations</c>.
/// </summary>
internal static class AllocationProbe
{
    private const int Calls = 3000;

    public static async Task RunAsync(TextWriter output)
    {
        await using var fixture = LoopbackFixture.Start();
        var raw = fixture.Raw;
        var watermarkJob = fixture.NewJob();
        var resultJob = fixture.NewJob();
        await resultJob.StartAsync().ConfigureAwait(false);
        var cycleJob = fixture.NewJob();

        output.WriteLine($"{"Operation",-18} {"Raw B/op",10} {"SDK B/op",10} {"Extra",8} {"Raw µs",8} {"SDK µs",8}");
        await PairAsync(output, "MostRecentAsync", () => raw.MostRecentAsync(), () => watermarkJob.MostRecentAsync()).ConfigureAwait(false);

        var unstarted = new Queue<Job>();
        await PairAsync(
            output,
            "StartAsync",
            () => raw.StartAsync(),
            () => unstarted.Dequeue().StartAsync(),
            prepare: () =>
            {
                unstarted.Clear();
                for (var i = 0; i < Calls; i++)
                {
                    unstarted.Enqueue(fixture.NewJob());
                }
            }).ConfigureAwait(false);

        await PairAsync(output, "ResultAsync", () => raw.ResultAsync(42, "success", 503, null), () => resultJob.ResultAsync(JobStatus.Success, 503)).ConfigureAwait(false);
        await PairAsync(
            output,
            "start+result",
            async () =>
            {
                var run = await raw.StartAsync().ConfigureAwait(false);
                await raw.ResultAsync(run.Id, "success", 503, null).ConfigureAwait(false);
            },
            async () =>
            {
                await cycleJob.StartAsync().ConfigureAwait(false);
                await cycleJob.ResultAsync(JobStatus.Success, 503).ConfigureAwait(false);
            }).ConfigureAwait(false);
    }

    private static async Task PairAsync(TextWriter output, string name, Func<Task> raw, Func<Task> sdk, Action? prepare = null)
    {
        // Warm up both (JIT, connections, pools), then measure each.
        prepare?.Invoke();
        await MeasureAsync(raw).ConfigureAwait(false);
        await MeasureAsync(sdk).ConfigureAwait(false);
        prepare?.Invoke();
        var (rawBytes, rawTime) = await MeasureAsync(raw).ConfigureAwait(false);
        var (sdkBytes, sdkTime) = await MeasureAsync(sdk).ConfigureAwait(false);
        output.WriteLine($"{name,-18} {rawBytes,10:N0} {sdkBytes,10:N0} {sdkBytes - rawBytes,8:N0} {rawTime,8:N1} {sdkTime,8:N1}");
    }

    private static async Task<(long Bytes, double Microseconds)> MeasureAsync(Func<Task> operation)
    {
        var before = GC.GetTotalAllocatedBytes(precise: true);
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < Calls; i++)
        {
            await operation().ConfigureAwait(false);
        }

        clock.Stop();
        var after = GC.GetTotalAllocatedBytes(precise: true);
        return ((after - before) / Calls, clock.Elapsed.TotalMilliseconds * 1000 / Calls);
    }
}
