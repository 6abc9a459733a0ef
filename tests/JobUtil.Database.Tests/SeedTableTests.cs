using Npgsql;

namespace JobUtil.Database.Tests;

/// <summary>
/// The original nine-column table, created before heartbeats existed: the client's requests work on it unchanged, and
/// applying db/schema.sql to it adds the new columns and the trigger and keeps its rows.
/// </summary>
public class SeedTableTests
{
    private const string Database = "seed_table";

    // The table as the original deployments created it: the nine columns of the contract, nothing else.
    private const string SeedTableSql = """
        CREATE SCHEMA api;
        CREATE TABLE api.jobs (
            id                SERIAL PRIMARY KEY,
            name              TEXT NOT NULL,
            start_date        TIMESTAMPTZ NOT NULL,
            end_date          TIMESTAMPTZ,
            message           TEXT,
            status            TEXT NOT NULL,
            records_processed INTEGER,
            source            TEXT NOT NULL,
            destination       TEXT NOT NULL
        );
        """;

    private NpgsqlConnection _connection = null!;

    [SetUp]
    public async Task CreateSeedTableAsync()
    {
        await ClusterSetUp.Cluster.CreateDatabaseAsync(Database);
        _connection = await ClusterSetUp.Cluster.OpenAsync(Database);
        await using var create = new NpgsqlCommand(SeedTableSql, _connection);
        await create.ExecuteNonQueryAsync();
    }

    [TearDown]
    public async Task CloseAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }
    }

    [Test]
    public async Task The_clients_start_conditional_result_and_watermark_work_on_the_nine_columns()
    {
        var id = await PostgrestInsert.InsertAsync(_connection, RejectedRows.ValidBody);

        // What PostgREST runs for PATCH /jobs?id=eq.N&status=eq.in_progress with the outcome, then for the watermark GET.
        var ended = await ExecuteAsync($"UPDATE api.jobs SET status = 'success', end_date = start_date + interval '1 minute', records_processed = 3 WHERE id = {id} AND status = 'in_progress'");
        var again = await ExecuteAsync($"UPDATE api.jobs SET status = 'error' WHERE id = {id} AND status = 'in_progress'");
        var watermark = await DatabaseErrors.ScalarAsync<DateTime>(_connection, "SELECT start_date FROM api.jobs WHERE name = 'nightly_load' AND status = 'success' ORDER BY start_date DESC LIMIT 1");

        Assert.That((ended, again), Is.EqualTo((1, 0)));
        Assert.That(watermark, Is.EqualTo(new DateTime(2019, 6, 20, 22, 18, 46, DateTimeKind.Utc)));
    }

    [Test]
    public async Task A_request_naming_a_heartbeat_column_fails_with_42703_where_the_columns_are_missing()
    {
        var id = await PostgrestInsert.InsertAsync(_connection, RejectedRows.ValidBody);

        Assert.That(await DatabaseErrors.SqlStateOfAsync(_connection, $"UPDATE api.jobs SET heartbeat_at = now() WHERE id = {id}"), Is.EqualTo("42703"));
    }

    [Test]
    public async Task Applying_the_schema_adds_the_columns_and_the_trigger_and_keeps_the_rows()
    {
        var id = await PostgrestInsert.InsertAsync(_connection, RejectedRows.ValidBody);
        await ExecuteAsync($"UPDATE api.jobs SET status = 'success', end_date = start_date WHERE id = {id}");

        await ClusterSetUp.ApplySchemaAsync(Database);
        await ClusterSetUp.ApplySchemaAsync(Database);

        Assert.Multiple(async () =>
        {
            Assert.That(await DatabaseErrors.ScalarAsync<string>(_connection, $"SELECT status || ' ' || coalesce(host, 'no host') FROM api.jobs WHERE id = {id}"), Is.EqualTo("success no host"));
            Assert.That(await DatabaseErrors.SqlStateOfAsync(_connection, $"UPDATE api.jobs SET status = 'error' WHERE id = {id}"), Is.EqualTo("23J01"));
        });
    }

    private async Task<int> ExecuteAsync(string sql)
    {
        await using var command = new NpgsqlCommand(sql, _connection);
        return await command.ExecuteNonQueryAsync();
    }
}
