using Hangfire;
using Hangfire.Common;
using Hangfire.PostgreSql;
using JobUtil.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace JobUtil.Hangfire.Tests.Readme;

/// <summary>The README's "Scheduling with Hangfire" example, compiled and run (the recurring job is triggered by hand).</summary>
public class ReadmeSnippet
{
    [Test]
    public async Task The_README_example_records_a_run_under_the_recurring_id_with_the_count_the_job_returns()
    {
        using var api = FakeJobsApi.Start();
        var signals = new Signals();
        var hangfireDatabase = HangfireSetUp.ConnectionString;
        var storage = HangfireSetUp.NewSchema();
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Configuration["JobUtil:Url"] = api.Url;
        builder.Configuration["JobUtil:Source"] = "orders_db";
        builder.Configuration["JobUtil:Destination"] = "warehouse";
        builder.Services.AddSingleton<OrdersSource>();
        builder.Services.AddSingleton<IJobFilterProvider>(new JobFilterProviderCollection(JobFilterProviders.Providers, new JobFilterCollection { signals.Filter }));

        // From the README (the storage's schema aside: each test has its own):
        builder.Services.AddJobUtil();                                        // the Jobs API client, as above
        builder.Services.AddHangfire(c => c.UsePostgreSqlStorage(o => o.UseNpgsqlConnection(hangfireDatabase), storage));
        builder.Services.AddHangfireServer();
        builder.Services.AddJobUtilTracking();                                // the tracking filter

        using var host = builder.Build();
        await host.StartAsync();
        var recurring = host.Services.GetRequiredService<IRecurringJobManager>();
        recurring.AddOrUpdate<CopyOrdersJob>("copy_orders", j => j.RunAsync(CancellationToken.None), Cron.Hourly());
        recurring.Trigger("copy_orders");
        var completion = await signals.NextAsync(TimeSpan.FromSeconds(30));
        await host.StopAsync();

        Assert.That(completion.Exception, Is.Null);
        Assert.That(api.Rows.Select(r => (r.Name, r.Status, r.RecordsProcessed)), Is.EqualTo(new[] { ("copy_orders", "success", (int?)12) }));
    }

    public sealed class OrdersSource
    {
        public Task<long> CopyChangesAsync(DateTimeOffset? since, CancellationToken cancellationToken) => Task.FromResult(since is null ? 12L : 0L);
    }

    public sealed class CopyOrdersJob(OrdersSource source, ITrackedRunAccessor runs)
    {
        [TrackedRun]                      // each execution is a run (name: its recurring job id; source/destination: JobOptions)
        [DisableConcurrentExecution(timeoutInSeconds: 60)]   // one execution at a time on every server
        public async Task<long> RunAsync(CancellationToken cancellationToken)
        {
            TrackedRun run = runs.TrackedRun!;                              // started before this method was called
            return await source.CopyChangesAsync(run.Watermark, cancellationToken);   // recorded as the count
        }
    }
}
