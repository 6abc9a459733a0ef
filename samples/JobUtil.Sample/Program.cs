using JobUtil.Sample;
using JobUtil.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

// With --url (or JOBUTIL_URL) this performs one real run against that Jobs API, authenticated with --token
// (or JOBUTIL_TOKEN). Without, it runs the tour against an in-process FakeJobsApi, on fresh demo databases.
var url = Argument(args, "--url") ?? Environment.GetEnvironmentVariable("JOBUTIL_URL");
var token = Argument(args, "--token") ?? Environment.GetEnvironmentVariable("JOBUTIL_TOKEN");
var demo = string.IsNullOrWhiteSpace(url);

using var fake = demo ? FakeJobsApi.Start() : null;

var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
{
    Args = [.. args.Where(a => a is not ("--url" or "--token") && !a.StartsWith("--url=", StringComparison.Ordinal) && !a.StartsWith("--token=", StringComparison.Ordinal))],
    ContentRootPath = AppContext.BaseDirectory,
});
builder.Configuration["JobUtil:Url"] = fake?.Url ?? url;
if (!string.IsNullOrEmpty(token))
{
    builder.Configuration["JobUtil:Token"] = token;
}

if (demo)
{
    // The tour always starts from scratch: its Jobs API is in memory, so its databases must be new too.
    builder.Configuration["Sample:DataDirectory"] = Path.Combine(Path.GetTempPath(), "jobutil-sample", "demo");
    Directory.CreateDirectory(builder.Configuration["Sample:DataDirectory"]!);
    foreach (var file in Directory.EnumerateFiles(builder.Configuration["Sample:DataDirectory"]!, "*.db"))
    {
        File.Delete(file);
    }
}

builder.Services.AddJobUtil(builder.Configuration.GetSection("JobUtil"));
builder.Services.AddOptions<SampleOptions>().Bind(builder.Configuration.GetSection("Sample"));
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddSingleton<OrdersSource>();
builder.Services.AddSingleton<OrdersDestination>();
builder.Services.AddSingleton<IncrementalCopy>();
if (fake is not null)
{
    builder.Services.AddSingleton(fake);
    builder.Services.AddSingleton<Demo>();
}

int exitCode;
using (var host = builder.Build())
{
    await host.StartAsync();
    var output = new StringWriter();
    var stopping = host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
    if (demo)
    {
        exitCode = await host.Services.GetRequiredService<Demo>().RunAsync(output, stopping);
    }
    else
    {
        exitCode = await RunOnceAsync(host.Services, output, stopping);
    }

    await host.StopAsync();

    // Written once the host (and its console logger queue) has stopped, so the summary comes after the log.
    host.Dispose();
    Console.Write(output.ToString());
}

return exitCode;

static async Task<int> RunOnceAsync(IServiceProvider services, TextWriter output, CancellationToken cancellationToken)
{
    await services.GetRequiredService<OrdersSource>().EnsureCreatedAsync(cancellationToken);
    var result = await services.GetRequiredService<IncrementalCopy>().RunOnceAsync(cancellationToken);
    var run = result.Run;
    output.WriteLine(result.Failure is null
        ? $"Run {run?.Id} of '{run?.Name}': {run?.Status} with {run?.RecordsProcessed} orders copied from cursor {result.From ?? "(none: the beginning)"} to {run?.Cursor ?? "(none)"}."
        : $"Run {run?.Id.ToString() ?? "(not started)"} failed: {result.Failure.Message}");
    return result.Failure is null ? 0 : 1;
}

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
