namespace JobUtil.Database.Tests;

/// <summary>The way the README applies the schema: the real psql, stopping at the first error, twice.</summary>
public class PsqlTests
{
    [Test]
    public async Task Psql_applies_the_schema_twice_to_an_empty_database()
    {
        const string database = "psql_twice";
        var cluster = ClusterSetUp.Cluster;
        await cluster.CreateDatabaseAsync(database);
        string[] arguments =
        [
            "-X", "-q", "-v", "ON_ERROR_STOP=1",
            "-h", "127.0.0.1", "-p", cluster.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-U", "postgres", "-d", database,
            "-f", SchemaFile.Path,
        ];

        var first = await ProcessRunner.RunAsync(cluster.Binaries.Psql, arguments, TimeSpan.FromMinutes(1));
        var second = await ProcessRunner.RunAsync(cluster.Binaries.Psql, arguments, TimeSpan.FromMinutes(1));

        await using var connection = await cluster.OpenAsync(database);
        Assert.Multiple(async () =>
        {
            Assert.That(first.ExitCode, Is.Zero, first.Describe("psql, first run"));
            Assert.That(second.ExitCode, Is.Zero, second.Describe("psql, second run"));
            Assert.That(first.Error + second.Error, Does.Not.Contain("ERROR"));
            Assert.That(await DatabaseErrors.ScalarAsync<bool>(connection, "SELECT to_regclass('api.jobs') IS NOT NULL"), Is.True);
        });
    }
}
