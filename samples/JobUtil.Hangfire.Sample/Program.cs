// A Hangfire job whose every execution is a run in a Jobs API. The job copies the orders changed since its watermark;
// JobUtil.Hangfire reads the watermark before each execution, starts the run, and records success with the count the
// job returns, or the error it throws.
//
// With no arguments: Hangfire's in-memory storage and an in-process FakeJobsApi (nothing to install, no database). A
// recurring job triggered four times: a full load, an incremental load, an execution that fails, and one that picks up
// where the last success left off. Then the runs as the Jobs API holds them; exit code 0 only if all of that happened.
// With --url (and --token): one execution against that Jobs API.
using Hangfire;
using Hangfire.Common;
using Hangfire.Server;
using JobUtil;
using JobUtil.Hangfire;
using JobUtil.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

var url = Argument(args, "--url") ?? Environment.GetEnvironmentVariable("JOBUTIL_URL");
var token = Argument(args, "--token") ?? Environment.GetEnvironmentVariable("JOBUTIL_TOKEN");
using var fake = string.IsNullOrWhiteSpace(url) ? FakeJobsApi.Start() : null;
var executions = fake is null ? 1 : 4;
var done = new Executions();

var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [], DisableDefaults = false });
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Logging.AddFilter("Hangfire", LogLevel.Critical);   // the third execution fails on purpose: its run shows it below
builder.Services.AddSingleton<Orders>();
builder.Services.AddJobUtil(o =>
{
    o.Url = fake?.Url ?? url;
    o.Token = string.IsNullOrEmpty(token) ? null : token;
    o.Source = "orders_db";
    o.Destination = "warehouse";
});
builder.Services.AddHangfire(c => c.UseInMemoryStorage().UseFilter(done));
builder.Services.AddHangfireServer(o => o.WorkerCount = 1);
builder.Services.AddJobUtilTracking();                 // every job method or class marked [TrackedRun] is a tracked run

using var host = builder.Build();
await host.StartAsync();
var recurring = host.Services.GetRequiredService<IRecurringJobManager>();
recurring.AddOrUpdate<CopyOrdersJob>("copy_orders", job => job.RunAsync(CancellationToken.None), Cron.Daily());
for (var i = 0; i < executions; i++)
{
    // One at a time, as a daily schedule would: each execution reads the watermark the previous one left.
    recurring.Trigger("copy_orders");
    await done.NextAsync().WaitAsync(TimeSpan.FromMinutes(1));
}

await host.StopAsync();

if (fake is null)
{
    Console.WriteLine("One execution of copy_orders recorded in the Jobs API.");
    return 0;
}

var runs = fake.Rows.Where(r => r.Name == "copy_orders").OrderBy(r => r.Id).ToList();
Console.WriteLine($"{"id",3}  {"status",-8}  {"start",-33}  {"records",7}  message");
foreach (var run in runs)
{
    Console.WriteLine($"{run.Id,3}  {run.Status,-8}  {run.StartDate:O}  {run.RecordsProcessed?.ToString() ?? "",7}  {run.Message}");
}

var expected = new[] { ("success", (int?)1000), ("success", 35), ("error", null), ("success", 35) };
var ok = runs.Select(r => (r.Status, r.RecordsProcessed)).SequenceEqual(expected);
Console.WriteLine(ok
    ? "The failed execution did not move the watermark: the next one copied the same 35 changes again."
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

/// <summary>The ETL: copies the orders modified at or after the watermark, and returns how many.</summary>
public sealed class CopyOrdersJob(Orders orders, ITrackedRunAccessor runs)
{
    [TrackedRun]                      // each execution is a run, named by its recurring job id: copy_orders
    [AutomaticRetry(Attempts = 0)]    // the sample's failure is on purpose: no retry
    public async Task<long> RunAsync(CancellationToken cancellationToken)
    {
        var run = runs.TrackedRun!;   // started before this method was called
        return await orders.CopyModifiedSinceAsync(run.Watermark, cancellationToken);
    }
}

/// <summary>A stand-in source: 1000 orders at first, then 35 changed ones; its third read fails.</summary>
public sealed class Orders
{
    private int _reads;

    public Task<long> CopyModifiedSinceAsync(DateTimeOffset? watermark, CancellationToken cancellationToken)
    {
        var read = Interlocked.Increment(ref _reads);
        if (read == 3)
        {
            throw new InvalidOperationException("The orders database is in maintenance.");
        }

        return Task.FromResult(watermark is null ? 1000L : 35L);
    }
}

/// <summary>Signals each execution that ended (a server filter, so the run's outcome is recorded by then).</summary>
public sealed class Executions : JobFilterAttribute, IServerFilter
{
    private readonly System.Threading.Channels.Channel<bool> _ended = System.Threading.Channels.Channel.CreateUnbounded<bool>();

    public Task NextAsync() => _ended.Reader.ReadAsync().AsTask();

    public void OnPerforming(PerformingContext context)
    {
    }

    public void OnPerformed(PerformedContext context) => _ended.Writer.TryWrite(true);
}
