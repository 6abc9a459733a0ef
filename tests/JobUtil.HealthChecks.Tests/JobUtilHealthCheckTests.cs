using System.Diagnostics.Metrics;
using JobUtil.HealthChecks;
using JobUtil.Testing;
using JobUtil.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Time.Testing;

namespace JobUtil.HealthChecks.Tests;

/// <summary><c>services.AddHealthChecks().AddJobUtil(...)</c> against FakeJobsApi, on a fake clock.</summary>
public class JobUtilHealthCheckTests
{
    private FakeJobsApi _api = null!;

    [OneTimeSetUp]
    public void Start() => _api = FakeJobsApi.Start();

    [OneTimeTearDown]
    public void Stop() => _api.Dispose();

    [SetUp]
    public void Reset()
    {
        _api.Reset();
        _api.Seed([.. FleetScenario.Rows]);
    }

    private ServiceProvider Services(Action<JobUtilHealthCheckOptions> configure, HealthStatus? failureStatus = null)
    {
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(new FakeTimeProvider(FleetScenario.Now));
        services.AddJobUtil(o =>
        {
            o.Url = _api.Url;
            o.MaxRetryAttempts = 0;
        });
        services.AddHealthChecks().AddJobUtil(configure, failureStatus: failureStatus);
        return services.BuildServiceProvider();
    }

    private async Task<HealthReportEntry> CheckAsync(Action<JobUtilHealthCheckOptions> configure, HealthStatus? failureStatus = null)
    {
        await using var services = Services(configure, failureStatus);
        var report = await services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        return report.Entries["jobutil"];
    }

    [Test]
    public async Task Healthy_jobs_are_Healthy_with_one_data_entry_per_job()
    {
        var entry = await CheckAsync(o =>
        {
            o.Policy = FleetScenario.Policy;
            o.Jobs.Add("healthy");
            o.Jobs.Add("weekly");
        });

        Assert.Multiple(() =>
        {
            Assert.That(entry.Status, Is.EqualTo(HealthStatus.Healthy), entry.Description);
            Assert.That(entry.Data.Keys, Is.EquivalentTo(new[] { "healthy", "weekly" }));
            Assert.That(entry.Data["healthy"], Is.EqualTo("healthy: last success 2h ago"));
        });
    }

    [Test]
    public async Task Jobs_only_late_or_running_too_long_are_Degraded()
    {
        var entry = await CheckAsync(o =>
        {
            o.Policy = FleetScenario.Policy;
            o.Jobs.Add("healthy");
            o.Jobs.Add("late");
            o.Jobs.Add("running_long");
        });

        Assert.Multiple(() =>
        {
            Assert.That(entry.Status, Is.EqualTo(HealthStatus.Degraded), entry.Description);
            Assert.That(entry.Description, Is.EqualTo("2 of 3 jobs unhealthy: late (late), running_long (running_too_long)"));
            Assert.That((string)entry.Data["late"], Does.StartWith("late: no success for"));
        });
    }

    [Test]
    public async Task Every_job_by_default_and_a_failing_one_makes_it_Unhealthy()
    {
        var entry = await CheckAsync(o => o.Policy = FleetScenario.Policy);

        Assert.Multiple(() =>
        {
            Assert.That(entry.Status, Is.EqualTo(HealthStatus.Unhealthy), entry.Description);
            Assert.That(entry.Data.Keys, Is.EquivalentTo(FleetScenario.ExpectedStates(heartbeats: false).Keys));
            Assert.That((string)entry.Data["failing"], Does.StartWith("failing: 2 consecutive failures"));
            Assert.That((string)entry.Data["never_succeeded"], Does.StartWith("never_succeeded: never succeeded"));
        });
    }

    [Test]
    public async Task A_job_that_never_ran_reports_the_failure_status_of_the_registration()
    {
        var entry = await CheckAsync(o => o.Jobs.Add(FleetScenario.NeverRanName), failureStatus: HealthStatus.Degraded);

        Assert.Multiple(() =>
        {
            Assert.That(entry.Status, Is.EqualTo(HealthStatus.Degraded), entry.Description);
            Assert.That((string)entry.Data[FleetScenario.NeverRanName], Does.StartWith("never_ran:"));
        });
    }

    [Test]
    public async Task An_unreadable_Jobs_API_is_Unhealthy_with_the_exception()
    {
        _api.FailNext(1, 503);
        var entry = await CheckAsync(o => o.Policy = FleetScenario.Policy);

        Assert.Multiple(() =>
        {
            Assert.That(entry.Status, Is.EqualTo(HealthStatus.Unhealthy));
            Assert.That(entry.Exception, Is.InstanceOf<JobsApiException>());
            Assert.That(entry.Description, Does.StartWith("The Jobs API could not be read"));
        });
    }

    [Test]
    public async Task Each_job_s_last_success_is_an_observable_gauge()
    {
        var seen = new Dictionary<string, double>();
        var running = new Dictionary<string, long>();
        await using var services = Services(o => o.Policy = FleetScenario.Policy);
        var gauges = services.GetRequiredService<JobFleetGauges>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == JobFleetGauges.MeterName && instrument.Name.StartsWith("jobutil.job.", StringComparison.Ordinal))
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) =>
        {
            if (instrument.Name == "jobutil.job.last_success.timestamp")
            {
                seen[(string)tags.ToArray().Single(t => t.Key == "jobutil.job.name").Value!] = value;
            }
        });
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
            running[(string)tags.ToArray().Single(t => t.Key == "jobutil.job.name").Value!] = value);
        listener.Start();

        listener.RecordObservableInstruments();
        var before = seen.Count;
        await services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        listener.RecordObservableInstruments();

        Assert.Multiple(() =>
        {
            Assert.That(gauges, Is.Not.Null);
            Assert.That(before, Is.Zero, "nothing is known before the first check");
            Assert.That(seen["late"], Is.EqualTo(FleetScenario.Now.AddHours(-30).ToUnixTimeSeconds()));
            Assert.That(seen.Keys, Does.Not.Contain("never_succeeded"));
            Assert.That(running["running_long"], Is.EqualTo(1));
            Assert.That(running["healthy"], Is.Zero);
        });
    }
}
