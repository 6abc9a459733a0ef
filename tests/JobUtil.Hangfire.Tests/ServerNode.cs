using System.Diagnostics;
using Hangfire.PostgreSql;
using Hangfire.Server;

namespace JobUtil.Hangfire.Tests;

/// <summary>
/// A Hangfire server in a process of its own, so that a test can kill it mid-job:
/// <c>dotnet JobUtil.Hangfire.Tests.dll --hangfire-server SCHEMA CONNECTION_STRING API_URL</c>. Its runs send a
/// heartbeat every <see cref="HeartbeatInterval"/>; a <see cref="CrashJobs"/> execution on it prints
/// <c>started RUN_ID WATERMARK</c> and then waits until the process is killed.
/// </summary>
public static class ServerNode
{
    public const string StartedLine = "started";

    public static readonly TimeSpan HeartbeatInterval = TimeSpan.FromMilliseconds(250);

    public static bool IsNodeProcess { get; private set; }

    public static async Task<int> Main(string[] args)
    {
        if (args is not ["--hangfire-server", var schema, var connectionString, var apiUrl])
        {
            await Console.Error.WriteLineAsync("This is a test assembly: run it with dotnet test (or --hangfire-server SCHEMA CONNECTION_STRING API_URL).");
            return 2;
        }

        IsNodeProcess = true;
        HangfireSetUp.ConnectionStringOverride = connectionString;
        await using var server = await TestServer.StartAsync("server-a", apiUrl, CrashTests.Storage(schema), new Signals(),
            o => o.HeartbeatInterval = HeartbeatInterval);
        await Task.Delay(Timeout.Infinite);
        return 0;
    }

    /// <summary>Starts a server process; the test kills it.</summary>
    public static Process Start(PostgreSqlStorageOptions storage, string apiUrl)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { typeof(ServerNode).Assembly.Location, "--hangfire-server", storage.SchemaName, HangfireSetUp.ConnectionString, apiUrl })
        {
            start.ArgumentList.Add(argument);
        }

        return Process.Start(start) ?? throw new InvalidOperationException("Could not start a Hangfire server process.");
    }
}

/// <summary>
/// A tracked job that on a server process announces its run and hangs until the process is killed; anywhere else it
/// finishes at once with one record. It retries once, a second later, should its start be refused.
/// </summary>
[TrackedRun(Source = "crash_source", Destination = "crash_destination")]
public sealed class CrashJobs(Signals signals, ITrackedRunAccessor accessor)
{
    [global::Hangfire.AutomaticRetry(Attempts = 1, DelaysInSeconds = [1])]
    public async Task<int> CopyAsync(PerformContext? context)
    {
        var run = accessor.TrackedRun!;
        if (ServerNode.IsNodeProcess)
        {
            Console.WriteLine($"{ServerNode.StartedLine} {run.RunId} {run.Watermark?.ToString("O") ?? "none"}");
            await Console.Out.FlushAsync();
            await Task.Delay(Timeout.Infinite);
        }

        signals.Record(context!, run);
        return 1;
    }
}
