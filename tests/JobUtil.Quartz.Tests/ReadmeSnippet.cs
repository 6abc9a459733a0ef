using JobUtil.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Quartz;

namespace JobUtil.Quartz.Tests.Readme;

/// <summary>The README's "Scheduling with Quartz.NET" example, compiled and run (the cron trigger is fired by hand).</summary>
public class ReadmeSnippet
{
    [Test]
    public async Task The_README_example_records_a_run_with_the_count_the_job_reports()
    {
        using var api = FakeJobsApi.Start();
        var firings = new Firings();
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration["JobUtil:Url"] = api.Url;
        builder.Configuration["JobUtil:Source"] = "orders_db";
        builder.Configuration["JobUtil:Destination"] = "warehouse";
        builder.Services.AddSingleton<OrdersSource>();
        builder.Services.AddQuartz(q => q.AddJobListener(firings, [Matchers.AllJobs()]));

        // From the README:
        builder.Services.AddJobUtil();                                        // the Jobs API client, as above
        builder.Services.AddQuartz(q =>
        {
            q.AddJobUtilTracking();                                           // the tracking middleware
            q.ScheduleJob<CopyOrdersJob>(t => t.WithCronSchedule("0 0/15 * * * ?"), j => j.WithIdentity("copy_orders"));
        });
        builder.Services.AddQuartzHostedService(o => o.WaitForJobsToComplete = true);

        using var host = builder.Build();
        await host.StartAsync();
        var scheduler = await host.Services.GetRequiredService<ISchedulerFactory>().GetScheduler();
        await scheduler.TriggerJob(new JobKey("copy_orders"), []);
        var completion = await firings.NextAsync(TimeSpan.FromSeconds(30));
        await host.StopAsync();

        Assert.That(completion.Exception, Is.Null);
        Assert.That(api.Rows.Select(r => (r.Name, r.Status, r.RecordsProcessed)), Is.EqualTo(new[] { ("copy_orders", "success", (int?)12) }));
    }

    public sealed class OrdersSource
    {
        public Task<long> CopyChangesAsync(DateTimeOffset? since, CancellationToken cancellationToken) => Task.FromResult(since is null ? 12L : 0L);
    }

    [TrackedRun]                          // this job's firings are runs (name: its JobKey; source/destination: JobOptions)
    [DisallowConcurrentExecution]         // one firing at a time across the cluster: agrees with the server's overlap guard
    public sealed class CopyOrdersJob(OrdersSource source) : IJob
    {
        public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
        {
            TrackedRun run = context.GetTrackedRun();                       // started before this method was called
            run.RecordsProcessed = await source.CopyChangesAsync(run.Watermark, cancellationToken);
        }
    }
}
