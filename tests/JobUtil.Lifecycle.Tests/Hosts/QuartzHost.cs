using System.Threading.Channels;
using Microsoft.Extensions.DependencyInjection;
using Quartz;
using JobUtil.Quartz;

namespace JobUtil.Lifecycle.Tests.Hosts;

/// <summary>A Quartz scheduler with <c>AddJobUtilTracking()</c>, firing a tracked job once.</summary>
public sealed class QuartzHost : LifecycleHost
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    public override string Name => "Quartz";

    public override string FailureMessage(string message) => "System.IO.InvalidDataException: " + message;

    public override async Task<HostResult> RunAsync(HostRun run)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddJobUtil(run.Configure);
        if (run.Clock is { } clock)
        {
            // The jobs' clock (dates, the outcome timeout); Quartz keeps its own.
            services.AddSingleton<TimeProvider>(clock);
        }

        var completions = new Completions();
        services.AddQuartz(q =>
        {
            q.AddJobUtilTracking();
            q.AddJobListener(completions, [Matchers.AllJobs()]);
        });
        await using var provider = services.BuildServiceProvider();
        var scheduler = await provider.GetRequiredService<ISchedulerFactory>().GetScheduler();
        await scheduler.Start();
        try
        {
            var probe = new Probe(run.Work);
            await scheduler.AddJob(JobBuilder.Create<TrackedWork>().WithIdentity(Key).StoreDurably().Build(), default);
            await scheduler.TriggerJob(Key, new JobDataMap { [Probe.Key] = probe });
            using var deadline = new CancellationTokenSource(Deadline);
            var failure = await completions.Reader.ReadAsync(deadline.Token);
            return new HostResult(probe.Ran, probe.Since, Failed: failure is not null, RecordingFailureOf(CauseOf(failure)));
        }
        finally
        {
            await scheduler.Shutdown(waitForJobsToComplete: true);
        }
    }

    private static JobKey Key { get; } = new(HostRun.JobName);

    /// <summary>The job's own exception, inside Quartz's wrappers (JobExecutionException, JobExecutionProcessException).</summary>
    private static Exception? CauseOf(Exception? failure)
    {
        while (failure is SchedulerException { InnerException: { } inner })
        {
            failure = inner;
        }

        return failure;
    }

    /// <summary>What the firing saw; handed to the job in its data map.</summary>
    private sealed class Probe(Work work)
    {
        public const string Key = "probe";

        public Work Work { get; } = work;

        public bool Ran { get; set; }

        public DateTimeOffset? Since { get; set; }
    }

    /// <summary>The tracked job: does the probe's work.</summary>
    [TrackedRun(Source = "crm", Destination = "warehouse")]
    private sealed class TrackedWork : IJob
    {
        public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
        {
            var probe = (Probe)context.MergedJobDataMap[Probe.Key]!;
            var run = context.GetTrackedRun();
            probe.Ran = true;
            probe.Since = run.Watermark;
            run.RecordsProcessed = await WorkAsync(probe.Work, () => _ = context.Scheduler.Interrupt(context.JobDetail.Key), cancellationToken);
        }
    }

    /// <summary>Each firing's outcome as Quartz reports it: its exception, or null.</summary>
    private sealed class Completions : IJobListener
    {
        private readonly Channel<Exception?> _channel = Channel.CreateUnbounded<Exception?>();

        public ChannelReader<Exception?> Reader => _channel.Reader;

        public string Name => "lifecycle-matrix";

        public ValueTask JobToBeExecuted(IJobExecutionContext context, CancellationToken cancellationToken = default) => default;

        public ValueTask JobExecutionVetoed(IJobExecutionContext context, CancellationToken cancellationToken = default) => default;

        public ValueTask JobWasExecuted(IJobExecutionContext context, JobExecutionException? jobException, CancellationToken cancellationToken = default)
            => _channel.Writer.WriteAsync(jobException, cancellationToken);

        public ValueTask JobProgressChanged(IJobExecutionContext context, global::Quartz.Extensibility.FireInstanceProgress progress, CancellationToken cancellationToken = default) => default;
    }
}
