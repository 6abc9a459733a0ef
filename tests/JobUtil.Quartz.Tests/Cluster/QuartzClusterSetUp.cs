using JobUtil.Database.Tests;
using Npgsql;

namespace JobUtil.Quartz.Tests.Cluster;

/// <summary>
/// The throwaway PostgreSQL cluster of the database tests (their <see cref="ClusterSetUp"/>, linked into this project),
/// started once for the tests of this namespace: skipped without PostgreSQL, failed under <c>CI=true</c>.
/// </summary>
[SetUpFixture]
public sealed class QuartzClusterSetUp
{
    private readonly ClusterSetUp _cluster = new();

    internal static PostgresCluster Cluster => ClusterSetUp.Cluster;

    [OneTimeSetUp]
    public Task StartAsync() => _cluster.StartClusterAsync();

    [OneTimeTearDown]
    public Task StopAsync() => _cluster.StopClusterAsync();

    /// <summary>A new database holding the Quartz tables of quartz_tables_postgres.sql, and a pooled connection string to it.</summary>
    internal static async Task<string> CreateQuartzDatabaseAsync(string name)
    {
        await Cluster.CreateDatabaseAsync(name);
        await using (var connection = await Cluster.OpenAsync(name))
        await using (var command = new NpgsqlCommand(await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "Cluster", "quartz_tables_postgres.sql")), connection))
        {
            await command.ExecuteNonQueryAsync();
        }

        // Pooled, and small: two schedulers share a server that allows 20 connections.
        return new NpgsqlConnectionStringBuilder(Cluster.ConnectionString(name)) { Pooling = true, MaxPoolSize = 5 }.ConnectionString;
    }
}
