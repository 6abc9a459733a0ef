using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using JobUtil.Tests.Support;

namespace JobUtil.Tests.Telemetry;

[TestFixture]
[NonParallelizable]
public sealed class TelemetryTests : ApiFixture
{
    private ConcurrentQueue<Activity> _activities = null!;
    private ActivityListener _listener = null!;

    [SetUp]
    public void SetUp()
    {
        _activities = new ConcurrentQueue<Activity>();
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "JobUtil",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _activities.Enqueue,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    [TearDown]
    public void TearDown() => _listener.Dispose();

    [Test]
    public async Task Each_operation_is_one_activity_with_job_name_run_id_and_status()
    {
        using var job = new Job("telemetry_ok", Options(), Http, Clock);

        await job.RunAsync((_, _) => Task.FromResult(5L));

        var mine = _activities.Where(a => Equals(a.GetTagItem("jobutil.job.name"), "telemetry_ok")).ToList();
        Assert.That(mine.Select(a => a.OperationName), Is.EqualTo(new[] { "JobUtil.MostRecent", "JobUtil.Start", "JobUtil.Result" }));
        var result = mine[2];
        Assert.Multiple(() =>
        {
            Assert.That(result.Kind, Is.EqualTo(ActivityKind.Client));
            Assert.That(result.GetTagItem("jobutil.run.id"), Is.EqualTo(1L));
            Assert.That(result.GetTagItem("jobutil.run.status"), Is.EqualTo("success"));
            Assert.That(mine.Select(a => a.GetTagItem("http.response.status_code")), Is.EqualTo(new object[] { 200, 201, 200 }));
            Assert.That(result.Status, Is.Not.EqualTo(ActivityStatusCode.Error));
            Assert.That(mine[1].GetTagItem("jobutil.run.id"), Is.EqualTo(1L));
        });
    }

    [Test]
    public void A_failed_operation_sets_error_status_http_status_and_error_type()
    {
        Api.FailNext(1, 403, "POST");
        using var job = new Job("telemetry_fail", Options(), Http, Clock);

        Assert.ThrowsAsync<JobsApiException>(() => job.StartAsync());

        var start = _activities.Single(a => a.OperationName == "JobUtil.Start" && Equals(a.GetTagItem("jobutil.job.name"), "telemetry_fail"));
        Assert.Multiple(() =>
        {
            Assert.That(start.Status, Is.EqualTo(ActivityStatusCode.Error));
            Assert.That(start.GetTagItem("http.response.status_code"), Is.EqualTo(403));
            Assert.That(start.GetTagItem("error.type"), Is.EqualTo(typeof(JobsApiException).FullName));
        });
    }

    [Test]
    public async Task Meter_counts_runs_by_status_records_and_duration()
    {
        var measurements = new ConcurrentQueue<(string Instrument, double Value, Dictionary<string, object?> Tags)>();
        using var meterListener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == "JobUtil")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        meterListener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
            measurements.Enqueue((instrument.Name, value, ToDictionary(tags))));
        meterListener.SetMeasurementEventCallback<double>((instrument, value, tags, _) =>
            measurements.Enqueue((instrument.Name, value, ToDictionary(tags))));
        meterListener.Start();
        using var ok = new Job("metrics_job", Options(), Http, Clock);
        using var failing = new Job("metrics_job", Options(), Http, Clock);

        await ok.RunAsync((_, _) => Task.FromResult(7L));
        Assert.ThrowsAsync<InvalidOperationException>(() => failing.RunAsync((_, _) => Task.FromException<long>(new InvalidOperationException("x"))));

        var mine = measurements.Where(m => Equals(m.Tags.GetValueOrDefault("jobutil.job.name"), "metrics_job")).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(mine.Where(m => m.Instrument == "jobutil.runs").Select(m => (m.Value, m.Tags["jobutil.run.status"])),
                Is.EquivalentTo(new[] { (1d, (object?)"success"), (1d, "error") }));
            Assert.That(mine.Where(m => m.Instrument == "jobutil.records_processed").Select(m => m.Value), Is.EqualTo(new[] { 7d }));
            Assert.That(mine.Count(m => m.Instrument == "jobutil.run.duration"), Is.EqualTo(2));
            Assert.That(mine.Where(m => m.Instrument == "jobutil.run.duration").Select(m => m.Value), Is.All.GreaterThanOrEqualTo(0));
        });
    }

    [Test]
    public async Task Active_runs_count_the_runs_this_process_started_until_each_ends_or_is_given_up()
    {
        var active = new ConcurrentQueue<(long Value, string? Job)>();
        using var meterListener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == "JobUtil" && instrument.Name == "jobutil.runs.active")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        meterListener.SetMeasurementEventCallback<long>((_, value, tags, _) => active.Enqueue((value, ToDictionary(tags).GetValueOrDefault("jobutil.job.name") as string)));
        meterListener.Start();
        long Active() => active.Where(m => m.Job == "active_job").Sum(m => m.Value);
        using var job = new Job("active_job", Options(), Http, Clock);

        var succeeding = await job.StartRunAsync();
        var abandoned = await job.StartRunAsync();
        Assert.That(Active(), Is.EqualTo(2), "two runs started");

        await succeeding.SucceedAsync(3);
        await succeeding.DisposeAsync();
        Assert.That(Active(), Is.EqualTo(1), "an outcome ends the count, once");

        var opened = await job.OpenRunAsync(abandoned.Id);
        Assert.That(Active(), Is.EqualTo(1), "a run opened by id was started elsewhere");
        await opened.FailAsync("ended through another handle");
        Assert.That(Active(), Is.EqualTo(1), "still counted by the handle that started it");

        Api.FailNext(1, 400, "PATCH");
        await abandoned.DisposeAsync();
        Assert.That(Active(), Is.EqualTo(0), "a handle disposed without an outcome it could record is given up");

        Api.FailNext(10, 400, "PATCH");
        Assert.ThrowsAsync<InvalidOperationException>(() => job.RunAsync((_, _) => Task.FromException<long>(new InvalidOperationException("x"))));
        Assert.That(Active(), Is.EqualTo(0), "RunAsync gives up a run whose error it could not record");
        Assert.That(active.Where(m => m.Job == "active_job").Select(m => m.Value), Is.EqualTo(new long[] { 1, 1, -1, -1, 1, -1 }));
    }

    private static Dictionary<string, object?> ToDictionary(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var result = new Dictionary<string, object?>();
        foreach (var tag in tags)
        {
            result[tag.Key] = tag.Value;
        }

        return result;
    }
}
