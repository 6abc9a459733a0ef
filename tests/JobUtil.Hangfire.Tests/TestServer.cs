using Hangfire;
using Hangfire.Common;
using Hangfire.PostgreSql;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace JobUtil.Hangfire.Tests;

/// <summary>
/// One Hangfire server as an application runs it: a host of its own (its own service provider, so its own JobUtil client
/// and tracking filter) with <c>AddHangfire</c> over the test's PostgreSQL schema, <c>AddHangfireServer</c>,
/// <c>AddJobUtil</c> against a Jobs API and <c>AddJobUtilTracking</c>. Several in one process are several servers of one
/// Hangfire installation. Disposing stops the server.
/// </summary>
public sealed class TestServer : IAsyncDisposable
{
    private readonly IHost _host;

    private TestServer(IHost host)
    {
        _host = host;
    }

    public IBackgroundJobClient Client => _host.Services.GetRequiredService<IBackgroundJobClient>();

    public IRecurringJobManager RecurringJobs => _host.Services.GetRequiredService<IRecurringJobManager>();

    /// <summary>Builds and starts a server named <paramref name="name"/> (unless <paramref name="start"/> is false).</summary>
    public static async Task<TestServer> StartAsync(
        string name,
        string apiUrl,
        PostgreSqlStorageOptions storage,
        Signals signals,
        Action<JobOptions>? jobOptions = null,
        Action<BackgroundJobServerOptions>? serverOptions = null,
        bool start = true)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddSingleton(signals);

        // The test's completion signal is one more filter of this server's provider, which AddJobUtilTracking wraps.
        builder.Services.AddSingleton<IJobFilterProvider>(new JobFilterProviderCollection(
            JobFilterProviders.Providers, new JobFilterCollection { signals.Filter }));
        // Hangfire's log provider is process-wide, and AddHangfire sets it to the host's logger factory: a host stopped
        // by one test would leave it disposed under the servers of the others. The tests log nothing of Hangfire's.
        builder.Services.AddHangfire(c => c
            .UseLogProvider(new NoHangfireLogs())
            .UseRecommendedSerializerSettings()
            .UsePostgreSqlStorage(o => o.UseNpgsqlConnection(HangfireSetUp.ConnectionString), storage));
        builder.Services.AddHangfireServer(o =>
        {
            o.ServerName = name;
            o.WorkerCount = 3;
            o.SchedulePollingInterval = TimeSpan.FromMilliseconds(200);
            o.CancellationCheckInterval = TimeSpan.FromMilliseconds(200);
            o.ShutdownTimeout = TimeSpan.FromSeconds(10);
            serverOptions?.Invoke(o);
        });
        builder.Services.AddJobUtil(o =>
        {
            o.Url = apiUrl;
            o.Source = "default_source";
            o.Destination = "default_destination";
            o.MaxRetryAttempts = 0;
            jobOptions?.Invoke(o);
        });
        builder.Services.AddJobUtilTracking();

        var host = builder.Build();
        if (start)
        {
            await host.StartAsync();
        }

        return new TestServer(host);
    }

    public Task StartAsync() => _host.StartAsync();

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }

    private sealed class NoHangfireLogs : global::Hangfire.Logging.ILogProvider, global::Hangfire.Logging.ILog
    {
        public global::Hangfire.Logging.ILog GetLogger(string name) => this;

        public bool Log(global::Hangfire.Logging.LogLevel logLevel, Func<string>? messageFunc, Exception? exception = null) => false;
    }
}
