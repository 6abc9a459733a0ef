using Npgsql;

namespace JobUtil.Database.Tests;

/// <summary>
/// Starts the throwaway cluster once for every test in this assembly and removes it afterwards, whatever the
/// tests did. Without PostgreSQL the tests are ignored with the reason, except under <c>CI=true</c>, where a
/// missing server is a failure: CI must never pass by skipping the database.
/// </summary>
[SetUpFixture]
public sealed class ClusterSetUp
{
    private static PostgresCluster? _cluster;

    internal static PostgresCluster Cluster => _cluster ?? throw new InvalidOperationException("The PostgreSQL cluster was not started.");

    internal static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>A new database with db/schema.sql applied twice, as a redeploy would.</summary>
    internal static async Task CreateSchemaDatabaseAsync(string name)
    {
        await Cluster.CreateDatabaseAsync(name);
        await ApplySchemaAsync(name);
        await ApplySchemaAsync(name);
    }

    internal static async Task ApplySchemaAsync(string database)
    {
        await using var connection = await Cluster.OpenAsync(database);
        await using var command = new NpgsqlCommand(SchemaFile.Text, connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Skips (or, under CI, fails) when PostgreSQL cannot be used here.</summary>
    internal static void Unavailable(string reason, bool isCi)
    {
        var message = $"PostgreSQL is not available: {reason}.";
        if (isCi)
        {
            Assert.Fail(message + " CI=true, where the database tests must run (.ci/run installs PostgreSQL).");
        }

        Assert.Ignore(message);
    }

    [OneTimeSetUp]
    public async Task StartClusterAsync()
    {
        if (PostgresBinaries.Find(out var reason) is not { } binaries)
        {
            Unavailable(reason, IsCi);
            return;
        }

        if (Environment.IsPrivilegedProcess && !UserExists("postgres"))
        {
            Unavailable("the process runs as root, and there is no 'postgres' user to run initdb and postgres as", IsCi);
            return;
        }

        _cluster = await PostgresCluster.StartAsync(binaries);
    }

    [OneTimeTearDown]
    public async Task StopClusterAsync()
    {
        if (_cluster is { } cluster)
        {
            _cluster = null;
            await cluster.DisposeAsync();
        }
    }

    private static bool UserExists(string user)
        => File.Exists("/etc/passwd") && File.ReadLines("/etc/passwd").Any(line => line.StartsWith(user + ":", StringComparison.Ordinal));
}
