using Microsoft.Extensions.Configuration;
using JobUtil.Testing;
using Quartz;

namespace JobUtil.Quartz.Tests;

/// <summary>Which name, source and destination a firing's run gets; what the overlap guard and a failed start do to the job.</summary>
public class NamesAndOverlapTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private FakeJobsApi _api = null!;
    private Firings _firings = null!;

    [OneTimeSetUp] public void StartApi() => _api = FakeJobsApi.Start(new FakeJobsApiOptions { OneRunInProgressPerName = true });

    [OneTimeTearDown] public void StopApi() => _api.Dispose();

    [SetUp]
    public void Reset()
    {
        _api.Reset();
        _firings = new Firings();
    }

    [Test]
    public async Task The_name_is_the_job_key_and_source_and_destination_come_from_the_options_by_default()
    {
        await using var scheduler = await TrackedScheduler.StartAsync(_api, _firings);

        await scheduler.FireAsync<QuietJob>(new JobKey("quiet"));
        await scheduler.FireAsync<QuietJob>(new JobKey("nightly", "etl"));
        await _firings.NextAsync(Deadline);
        await _firings.NextAsync(Deadline);

        Assert.That(_api.Rows.Select(r => (r.Name, r.Source, r.Destination)), Is.EquivalentTo(new[]
        {
            ("quiet", "default_source", "default_destination"),
            ("etl.nightly", "default_source", "default_destination"),
        }));
    }

    [Test]
    public async Task The_attribute_names_the_run()
    {
        await using var scheduler = await TrackedScheduler.StartAsync(_api, _firings);

        await scheduler.FireAsync<NamedJob>(new JobKey("named"));
        await _firings.NextAsync(Deadline);

        Assert.That(_api.Rows.Select(r => (r.Name, r.Source, r.Destination)), Is.EqualTo(new[] { ("orders_to_warehouse", "orders_db", "dwh") }));
        Assert.That(_firings.Executions.Single().Run!.JobName, Is.EqualTo("orders_to_warehouse"));
    }

    [Test]
    public async Task Configuration_opts_an_unmarked_job_in_and_overrides_the_attribute()
    {
        await using var scheduler = await TrackedScheduler.StartAsync(_api, _firings, tracking: o =>
        {
            o.Jobs["plain"] = new TrackedJobOptions { Source = "files" };
            o.Jobs["etl.named"] = new TrackedJobOptions { Name = "renamed", Destination = "lake" };
        });

        await scheduler.FireAsync<PlainJob>(new JobKey("plain"));
        await _firings.NextAsync(Deadline);
        await scheduler.FireAsync<NamedJob>(new JobKey("named", "etl"));
        await _firings.NextAsync(Deadline);

        Assert.That(_api.Rows.Select(r => (r.Name, r.Source, r.Destination)), Is.EqualTo(new[]
        {
            ("plain", "files", "default_destination"),
            ("renamed", "orders_db", "lake"),
        }));
    }

    [Test]
    public async Task Configuration_is_read_from_a_section()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["JobUtil:Quartz:Jobs:plain:Name"] = "from_configuration",
            ["JobUtil:Quartz:Jobs:plain:Source"] = "s3",
        }).Build();
        await using var scheduler = await TrackedScheduler.StartAsync(_api, _firings,
            q => q.AddJobUtilTracking(configuration.GetSection(JobUtilQuartzOptions.DefaultSectionName)));

        await scheduler.FireAsync<PlainJob>(new JobKey("plain"));
        await _firings.NextAsync(Deadline);

        Assert.That(_api.Rows.Select(r => (r.Name, r.Source)), Is.EqualTo(new[] { ("from_configuration", "s3") }));
    }

    [Test]
    public async Task When_the_overlap_guard_refuses_the_run_the_body_does_not_run_and_Quartz_gets_a_JobExecutionException()
    {
        _api.Seed(new FakeJobRow { Name = "quiet", Status = "in_progress", Source = "a", Destination = "b", StartDate = DateTimeOffset.UtcNow.AddMinutes(-1) });
        await using var scheduler = await TrackedScheduler.StartAsync(_api, _firings);

        await scheduler.FireAsync<QuietJob>(new JobKey("quiet"));
        var completion = await _firings.NextAsync(Deadline);

        Assert.That(_firings.Executions, Is.Empty, "the body never ran");
        Assert.That(completion.Exception, Is.Not.Null);
        Assert.That(completion.Exception!.RefireImmediately, Is.False);
        Assert.That(Find<JobAlreadyRunningException>(completion.Exception), Is.Not.Null);
        Assert.That(_api.Rows.Select(r => r.Status), Is.EqualTo(new[] { "in_progress" }), "nothing written beside the run that holds the name");
    }

    [Test]
    public async Task When_the_run_cannot_be_started_the_body_does_not_run()
    {
        _api.FailNext(1, 400, "POST");
        await using var scheduler = await TrackedScheduler.StartAsync(_api, _firings);

        await scheduler.FireAsync<QuietJob>(new JobKey("quiet"));
        var completion = await _firings.NextAsync(Deadline);

        Assert.That(_firings.Executions, Is.Empty);
        Assert.That(Find<JobsApiException>(completion.Exception), Is.Not.Null);
        Assert.That(_api.Rows, Is.Empty);
    }

    [Test]
    public async Task An_untracked_job_asking_for_its_run_gets_a_clear_error()
    {
        await using var scheduler = await TrackedScheduler.StartAsync(_api, _firings);

        await scheduler.FireAsync<AsksForItsRun>(new JobKey("asks"));
        var completion = await _firings.NextAsync(Deadline);

        var error = Find<InvalidOperationException>(completion.Exception);
        Assert.That(error?.Message, Does.Contain("[TrackedRun]").And.Contain("AddJobUtilTracking"));
    }

    private sealed class AsksForItsRun : IJob
    {
        public ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
        {
            _ = context.GetTrackedRun();
            return default;
        }
    }

    private static T? Find<T>(Exception? exception)
        where T : Exception
    {
        for (; exception is not null; exception = exception.InnerException)
        {
            if (exception is T found)
            {
                return found;
            }
        }

        return null;
    }
}
