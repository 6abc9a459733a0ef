using JobUtil.Testing;
using Microsoft.Extensions.DependencyInjection;
using Quartz;

namespace JobUtil.Quartz.Tests;

/// <summary>A scheduler with JobUtil tracking against a FakeJobsApi, started; disposing shuts it down.</summary>
internal sealed class TrackedScheduler : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    private TrackedScheduler(ServiceProvider services, IScheduler scheduler)
    {
        _services = services;
        Scheduler = scheduler;
    }

    public IScheduler Scheduler { get; }

    /// <summary>An in-memory scheduler, unless <paramref name="configure"/> says otherwise.</summary>
    public static Task<TrackedScheduler> StartAsync(
        FakeJobsApi api, Firings firings, Action<IQuartzBuilder>? configure = null, Action<JobUtilQuartzOptions>? tracking = null)
        => CreateAsync(api.Url, firings, configure, tracking, start: true);

    /// <summary>A scheduler tracking into the Jobs API at <paramref name="apiUrl"/>, started when <paramref name="start"/> says so.</summary>
    public static async Task<TrackedScheduler> CreateAsync(
        string apiUrl, Firings firings, Action<IQuartzBuilder>? configure = null, Action<JobUtilQuartzOptions>? tracking = null, bool start = true, Action<JobOptions>? jobOptions = null)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(firings);
        services.AddJobUtil(o =>
        {
            o.Url = apiUrl;
            o.Source = "default_source";
            o.Destination = "default_destination";
            o.MaxRetryAttempts = 0;
            jobOptions?.Invoke(o);
        });
        services.AddQuartz(q =>
        {
            configure?.Invoke(q);
            q.AddJobUtilTracking(tracking);
            q.AddJobListener(firings, [Matchers.AllJobs()]);
        });
        var provider = services.BuildServiceProvider();
        try
        {
            var scheduler = await provider.GetRequiredService<ISchedulerFactory>().GetScheduler();
            if (start)
            {
                await scheduler.Start();
            }

            return new TrackedScheduler(provider, scheduler);
        }
        catch
        {
            await provider.DisposeAsync();
            throw;
        }
    }

    /// <summary>Fires <typeparamref name="TJob"/> once, now, under <paramref name="key"/> (added durably the first time).</summary>
    public async Task FireAsync<TJob>(JobKey key, JobDataMap? data = null)
        where TJob : IJob
    {
        if (!await Scheduler.Exists(key))
        {
            await Scheduler.AddJob(JobBuilder.Create<TJob>().WithIdentity(key).StoreDurably().Build(), default);
        }

        await Scheduler.TriggerJob(key, data ?? []);
    }

    public async ValueTask DisposeAsync()
    {
        await Scheduler.Shutdown(waitForJobsToComplete: true);
        await _services.DisposeAsync();
    }
}
