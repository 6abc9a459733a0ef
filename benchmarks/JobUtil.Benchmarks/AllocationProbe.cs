using System.Diagnostics;

namespace JobUtil.Benchmarks;

/// <summary>
/// A quick check of bytes allocated per operation, SDK beside baseline, without BenchmarkDotNet: a few thousand
/// sequential calls after warm-up, measured with <see cref="GC.GetTotalAllocatedBytes(bool)"/>. Allocations do not
/// depend on the machine's load, so this answers in seconds what a full run answers in minutes. Times are measured in
/// interleaved rounds (baseline, SDK, SDK, baseline, ...) so that a burst of load elsewhere hits both alike; the
/// median of the rounds' ratios is printed. Run with <c>-- --allocations</c>.
/// </summary>
internal static class AllocationProbe
{
    private const int Calls = 3000;
    private const int Rounds = 10;
    private const int CallsPerRound = 300;

    public static async Task RunAsync(TextWriter output)
    {
        await using (var fixture = LoopbackFixture.Start())
        {
            output.WriteLine("Over loopback HTTP (the benchmark's set-up):");
            await RunPairsAsync(output, fixture.Raw, fixture.NewJob).ConfigureAwait(false);
        }

        // The same calls answered in memory, without sockets: what is left is the client's own CPU time per call.
        using var http = new HttpClient(new CannedHandler());
        var options = new JobOptions { Url = "http://127.0.0.1" + PostgrestStub.TablePath, Token = LoopbackFixture.Token, Source = LoopbackFixture.Source, Destination = LoopbackFixture.Destination };
        var raw = new Baseline.RawJobsClient(http, options.Url, LoopbackFixture.Token, LoopbackFixture.JobName, LoopbackFixture.Source, LoopbackFixture.Destination);
        output.WriteLine();
        output.WriteLine("In memory (a handler answering at once with the stub's bodies):");
        await RunPairsAsync(output, raw, () => new Job(LoopbackFixture.JobName, options, http)).ConfigureAwait(false);
    }

    private static async Task RunPairsAsync(TextWriter output, Baseline.RawJobsClient raw, Func<Job> newJob)
    {
        var watermarkJob = newJob();
        var cycleJob = newJob();

        output.WriteLine($"{"Operation",-18} {"Raw B/op",10} {"SDK B/op",10} {"Extra",8} {"Raw µs",8} {"SDK µs",8} {"Median ratio",13}");
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
                    unstarted.Enqueue(newJob());
                }
            }).ConfigureAwait(false);

        // A run records one outcome: each measured result gets a job whose run was started outside the measurement.
        var started = new Queue<Job>();
        await PairAsync(
            output,
            "ResultAsync",
            () => raw.ResultAsync(42, "success", 503, null),
            () => started.Dequeue().ResultAsync(JobStatus.Success, 503),
            prepare: () =>
            {
                started.Clear();
                for (var i = 0; i < Calls; i++)
                {
                    var job = newJob();
                    job.StartAsync().GetAwaiter().GetResult();
                    started.Enqueue(job);
                }
            }).ConfigureAwait(false);
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
        await MeasureAsync(raw, Calls).ConfigureAwait(false);
        await MeasureAsync(sdk, Calls).ConfigureAwait(false);
        prepare?.Invoke();
        var (rawBytes, _) = await MeasureAsync(raw, Calls).ConfigureAwait(false);
        var (sdkBytes, _) = await MeasureAsync(sdk, Calls).ConfigureAwait(false);

        var rawTimes = new List<double>();
        var sdkTimes = new List<double>();
        var ratios = new List<double>();
        for (var round = 0; round < Rounds; round++)
        {
            prepare?.Invoke();
            double r, s;
            if (round % 2 == 0)
            {
                r = (await MeasureAsync(raw, CallsPerRound).ConfigureAwait(false)).Microseconds;
                s = (await MeasureAsync(sdk, CallsPerRound).ConfigureAwait(false)).Microseconds;
            }
            else
            {
                s = (await MeasureAsync(sdk, CallsPerRound).ConfigureAwait(false)).Microseconds;
                r = (await MeasureAsync(raw, CallsPerRound).ConfigureAwait(false)).Microseconds;
            }

            rawTimes.Add(r);
            sdkTimes.Add(s);
            ratios.Add(s / r);
        }

        output.WriteLine($"{name,-18} {rawBytes,10:N0} {sdkBytes,10:N0} {sdkBytes - rawBytes,8:N0} {Median(rawTimes),8:N1} {Median(sdkTimes),8:N1} {Median(ratios),13:N2}");
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        return values.Count % 2 == 1 ? values[values.Count / 2] : (values[(values.Count / 2) - 1] + values[values.Count / 2]) / 2;
    }

    private static async Task<(long Bytes, double Microseconds)> MeasureAsync(Func<Task> operation, int calls)
    {
        var before = GC.GetTotalAllocatedBytes(precise: true);
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < calls; i++)
        {
            await operation().ConfigureAwait(false);
        }

        clock.Stop();
        var after = GC.GetTotalAllocatedBytes(precise: true);
        return ((after - before) / calls, clock.Elapsed.TotalMilliseconds * 1000 / calls);
    }

    /// <summary>Answers like the stub, at once: the request body is still serialized, the response still parsed.</summary>
    private sealed class CannedHandler : HttpMessageHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var sent = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);

            var (status, body) = request.Method.Method switch
            {
                "GET" => (System.Net.HttpStatusCode.OK, PostgrestStub.WatermarkBody),
                "POST" => (System.Net.HttpStatusCode.Created, PostgrestStub.Inserted(sent!)),
                _ => (System.Net.HttpStatusCode.OK, PostgrestStub.UpdatedBody),
            };
            var content = new ByteArrayContent(body);
            content.Headers.TryAddWithoutValidation("Content-Type", "application/json; charset=utf-8");
            return new HttpResponseMessage(status) { Content = content, RequestMessage = request };
        }
    }
}
