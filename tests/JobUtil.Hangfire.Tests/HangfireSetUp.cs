using System.Threading;
using Hangfire.PostgreSql;
using JobUtil.Database.Tests;
using Npgsql;

namespace JobUtil.Hangfire.Tests;

/// <summary>
/// The throwaway PostgreSQL cluster of the database tests (their <see cref="ClusterSetUp"/>, linked into this project),
/// started once for this assembly, with one database for Hangfire: skipped without PostgreSQL, failed under <c>CI=true</c>.
/// Each test gets a schema of its own, installed by Hangfire.PostgreSql itself, so that no job a test leaves behind (a
/// retry, say) runs in another test's servers.
/// </summary>
[SetUpFixture]
public sealed class HangfireSetUp
{
    private const string Database = "hangfire_tests";
    private static int _schemas;
    private readonly ClusterSetUp _cluster = new();

    /// <summary>Set in a server process (<see cref="ServerNode"/>), which has no cluster of its own.</summary>
    internal static string? ConnectionStringOverride { get; set; }

    /// <summary>Pooled and small: the test servers share a PostgreSQL that allows 20 connections.</summary>
    internal static string ConnectionString => ConnectionStringOverride ?? new NpgsqlConnectionStringBuilder(ClusterSetUp.Cluster.ConnectionString(Database))
    {
        Pooling = true,
        MaxPoolSize = 12,
    }.ConnectionString;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        await _cluster.StartClusterAsync();
        await ClusterSetUp.Cluster.CreateDatabaseAsync(Database);
    }

    [OneTimeTearDown]
    public Task StopAsync() => _cluster.StopClusterAsync();

    /// <summary>Storage options for a schema no other test uses; Hangfire.PostgreSql creates it on first use.</summary>
    internal static PostgreSqlStorageOptions NewSchema() => new()
    {
        SchemaName = "hangfire_" + Interlocked.Increment(ref _schemas),
        PrepareSchemaIfNecessary = true,
        QueuePollInterval = TimeSpan.FromMilliseconds(50),
        DistributedLockTimeout = TimeSpan.FromSeconds(30),
    };
}
