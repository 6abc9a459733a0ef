using JobUtil.Testing;
using Npgsql;

namespace JobUtil.Database.Tests;

/// <summary>Puts runs into a database's api.jobs, in order, so their ids are 1, 2, … as in a fresh FakeJobsApi.</summary>
internal static class FleetRuns
{
    /// <summary>The table as the original deployments had it: nine columns, no view, no index but the key.</summary>
    public const string SeedTableSql = """
        DO $$
        BEGIN
            IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'web_anon') THEN
                CREATE ROLE web_anon NOLOGIN;
            END IF;
        END
        $$;
        CREATE SCHEMA api;
        CREATE TABLE api.jobs (
            id SERIAL PRIMARY KEY, name TEXT NOT NULL, start_date TIMESTAMPTZ NOT NULL, end_date TIMESTAMPTZ,
            message TEXT, status TEXT NOT NULL, records_processed INTEGER, source TEXT NOT NULL, destination TEXT NOT NULL);
        GRANT USAGE ON SCHEMA api TO web_anon;
        GRANT SELECT ON api.jobs TO web_anon;
        """;

    public static async Task InsertAsync(NpgsqlConnection connection, IEnumerable<FakeJobRow> rows)
    {
        await using (var truncate = new NpgsqlCommand("TRUNCATE api.jobs RESTART IDENTITY", connection))
        {
            await truncate.ExecuteNonQueryAsync();
        }

        foreach (var row in rows)
        {
            // The cursor only when the row has one, so that the nine-column table of SeedTableSql takes the others.
            var cursor = row.Cursor is null ? (Column: string.Empty, Value: string.Empty) : (Column: ", cursor", Value: ", @cursor");
            await using var insert = new NpgsqlCommand(
                $"""
                INSERT INTO api.jobs (name, start_date, end_date, message, status, records_processed, source, destination{cursor.Column})
                VALUES (@name, @start, @end, @message, @status, @records, @source, @destination{cursor.Value})
                """,
                connection);
            if (row.Cursor is not null)
            {
                insert.Parameters.AddWithValue("cursor", row.Cursor);
            }

            insert.Parameters.AddWithValue("name", row.Name);
            insert.Parameters.AddWithValue("start", row.StartDate.UtcDateTime);
            insert.Parameters.AddWithValue("end", (object?)row.EndDate?.UtcDateTime ?? DBNull.Value);
            insert.Parameters.AddWithValue("message", (object?)row.Message ?? DBNull.Value);
            insert.Parameters.AddWithValue("status", row.Status);
            insert.Parameters.AddWithValue("records", (object?)row.RecordsProcessed ?? DBNull.Value);
            insert.Parameters.AddWithValue("source", row.Source);
            insert.Parameters.AddWithValue("destination", row.Destination);
            await insert.ExecuteNonQueryAsync();
        }
    }

    /// <summary>Sets the heartbeat of the runs in progress of job <paramref name="name"/>.</summary>
    public static async Task SetHeartbeatAsync(NpgsqlConnection connection, string name, DateTimeOffset heartbeat)
    {
        await using var update = new NpgsqlCommand("UPDATE api.jobs SET heartbeat_at = @at, host = 'etl-1' WHERE name = @name AND status = 'in_progress'", connection);
        update.Parameters.AddWithValue("at", heartbeat.UtcDateTime);
        update.Parameters.AddWithValue("name", name);
        Assert.That(await update.ExecuteNonQueryAsync(), Is.EqualTo(1), "the run in progress whose heartbeat is set");
    }
}
