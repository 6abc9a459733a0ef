using BenchmarkDotNet.Running;
using JobUtil.Database.Benchmarks;
using JobUtil.Database.Tests;
using Npgsql;

// Run with: dotnet run -c Release --project benchmarks/JobUtil.Database.Benchmarks
// Starts a throwaway PostgreSQL cluster (as the database tests do), applies db/schema.sql, loads 1,000 jobs and
// 1,000,000 runs, prints the fleet query's EXPLAIN ANALYZE, then measures the query with BenchmarkDotNet.
const int Jobs = 1_000;
const int Runs = 1_000_000;

if (PostgresBinaries.Find(out var reason) is not { } binaries)
{
    Console.Error.WriteLine($"PostgreSQL is not available: {reason}.");
    return 1;
}

await using var cluster = await PostgresCluster.StartAsync(binaries);
await cluster.CreateDatabaseAsync("fleet_benchmark");
await using (var connection = await cluster.OpenAsync("fleet_benchmark"))
{
    foreach (var sql in new[] { SchemaFile.Text, FleetLoad.Sql(Jobs, Runs), "VACUUM ANALYZE api.jobs" })
    {
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 600 };
        await command.ExecuteNonQueryAsync();
    }

    Console.WriteLine($"Loaded {await ScalarAsync(connection, "SELECT count(*) FROM api.jobs")} runs of {await ScalarAsync(connection, "SELECT count(*) FROM api.jobs_fleet")} jobs; {await ScalarAsync(connection, "SELECT count(*) FROM api.jobs WHERE status = 'error'")} failed, {await ScalarAsync(connection, "SELECT count(*) FROM api.jobs WHERE status = 'in_progress'")} in progress.");
    Console.WriteLine($"PostgreSQL {await ScalarAsync(connection, "SHOW server_version")}");

    // Warm the cache as a server answering every minute would have it, then show the plan with its timings.
    await ScalarAsync(connection, FleetQueryBenchmarks.FleetSql);
    await using var explain = new NpgsqlCommand("EXPLAIN (ANALYZE, BUFFERS) " + FleetQueryBenchmarks.FleetSql, connection);
    await using var reader = await explain.ExecuteReaderAsync();
    Console.WriteLine("EXPLAIN (ANALYZE, BUFFERS) " + FleetQueryBenchmarks.FleetSql);
    while (await reader.ReadAsync())
    {
        Console.WriteLine(reader.GetString(0));
    }
}

FleetQueryBenchmarks.ConnectionString = cluster.ConnectionString("fleet_benchmark");
var summary = BenchmarkRunner.Run<FleetQueryBenchmarks>(args: args);
return summary.Reports.All(r => r.Success) ? 0 : 1;

static async Task<string> ScalarAsync(NpgsqlConnection connection, string sql)
{
    await using var command = new NpgsqlCommand(sql, connection);
    return Convert.ToString(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture)!;
}
