// A Quartz.NET job whose every firing is a run in a Jobs API. The job copies the orders changed since its watermark;
// JobUtil.Quartz reads the watermark before each firing, starts the run, and records success with the count the job
// reports, or the error it throws.
//
// With no arguments: an in-memory scheduler and an in-process FakeJobsApi (nothing to install, no database). Four
// firings: a full load, an incremental load, a firing that fails, and one that picks up where the last success left
// off. Then the runs as the Jobs API holds them; exit code 0 only if all of that happened.
// With --url (and --token): one firing against that Jobs API.
using JobUtil;
using JobUtil.Quartz;
using JobUtil.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Quartz;

var url = Argument(args, "--url") ?? Environment.GetEnvironmentVariable("JOBUTIL_URL");
var token = Argument(args, "--token") ?? Environment.GetEnvironmentVariable("JOBUTIL_TOKEN");
using var fake = string.IsNullOrWhiteSpace(url) ? FakeJobsApi.Start() : null;
var firings = fake is null ? 1 : 4;

var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [], DisableDefaults = false });
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Logging.AddFilter("Quartz", LogLevel.Critical);   // the third firing fails on purpose: its run shows it below
builder.Services.AddSingleton<Orders>();
builder.Services.AddSingleton(new Completions(firings));
builder.Services.AddJobUtil(o =>
{
    o.Url = fake?.Url ?? url;
    o.Token = string.IsNullOrEmpty(token) ? null : token;
    o.Source = "orders_db";
    o.Destination = "warehouse";
});
builder.Services.AddQuartz(q =>
{
    q.AddJobUtilTracking();                          // every job marked [TrackedRun] is a tracked run
    q.AddJobListener<Completions>(services => services.GetRequiredService<Completions>(), [Matchers.AllJobs()]);
    q.ScheduleJob<CopyOrdersJob>(
        trigger => trigger.WithIdentity("copy_orders").StartNow()
            .WithSimpleSchedule(s => s.WithInterval(TimeSpan.FromMilliseconds(300)).WithRepeatCount(firings - 1)),
        job => job.WithIdentity("copy_orders").RequestRecovery());
});
builder.Services.AddQuartzHostedService(o => o.WaitForJobsToComplete = true);

using var host = builder.Build();
await host.StartAsync();
await host.Services.GetRequiredService<Completions>().AllDone.WaitAsync(TimeSpan.FromMinutes(2));
await host.StopAsync();

if (fake is null)
{
    Console.WriteLine("One firing of copy_orders recorded in the Jobs API.");
    return 0;
}

var runs = fake.Rows.Where(r => r.Name == "copy_orders").OrderBy(r => r.Id).ToList();
Console.WriteLine($"{"id",3}  {"status",-8}  {"start",-28}  {"records",7}  message");
foreach (var run in runs)
{
    Console.WriteLine($"{run.Id,3}  {run.Status,-8}  {run.StartDate:O}  {run.RecordsProcessed?.ToString() ?? "",7}  {run.Message}");
}

var expected = new[] { ("success", (int?)1000), ("success", 35), ("error", null), ("success", 35) };
var ok = runs.Select(r => (r.Status, r.RecordsProcessed)).SequenceEqual(expected);
Console.WriteLine(ok
    ? "The failed firing did not move the watermark: the next one copied the same 35 changes again."
    : "Unexpected runs: expected " + string.Join(", ", expected));
return ok ? 0 : 1;

static string? Argument(string[] args, string name)
{
    for (var i = 0; i < args.Length; i++)
    {
        if (args[i] == name && i + 1 < args.Length)
        {
            return args[i + 1];
        }

        if (args[i].StartsWith(name + "=", StringComparison.Ordinal))
        {
            return args[i][(name.Length + 1)..];
        }
    }

    return null;
}

/// <summary>The ETL: copies the orders modified at or after the watermark, and reports how many.</summary>
[TrackedRun]
[DisallowConcurrentExecution]
internal sealed class CopyOrdersJob(Orders orders) : IJob
{
    public ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        var run = context.GetTrackedRun();
        var changed = orders.ModifiedSince(run.Watermark);
        run.RecordsProcessed = changed;
        return default;
    }
}

/// <summary>A stand-in source: 1000 orders at first, then 35 changed ones; its third read fails.</summary>
internal sealed class Orders
{
    private int _reads;

    public long ModifiedSince(DateTimeOffset? watermark)
    {
        var read = Interlocked.Increment(ref _reads);
        if (read == 3)
        {
            throw new InvalidOperationException("The orders database is in maintenance.");
        }

        return watermark is null ? 1000 : 35;
    }
}

/// <summary>Completes once the scheduler has finished the expected number of firings.</summary>
internal sealed class Completions(int expected) : IJobListener
{
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _seen;

    public Task AllDone => _done.Task;

    public string Name => "sample-completions";

    public ValueTask JobWasExecuted(IJobExecutionContext context, JobExecutionException? jobException, CancellationToken cancellationToken = default)
    {
        if (Interlocked.Increment(ref _seen) == expected)
        {
            _done.TrySetResult();
        }

        return default;
    }
}
