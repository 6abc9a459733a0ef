using Npgsql;

namespace JobUtil.Database.Tests;

/// <summary>The shape of api.jobs and api.jobs_latest, and that db/schema.sql can be applied again safely.</summary>
public class SchemaTests
{
    private const string Database = "schema";

    /// <summary>Everything the schema file defines, as text, to compare one state of the catalog with another.</summary>
    private const string CatalogSnapshotSql = """
        SELECT string_agg(line, E'\n' ORDER BY line) FROM (
            SELECT 'column ' || column_name || ' ' || data_type || ' ' || is_nullable || ' ' || coalesce(column_default, '') AS line
                FROM information_schema.columns WHERE table_schema = 'api'
            UNION ALL SELECT 'constraint ' || conname || ' ' || pg_get_constraintdef(oid)
                FROM pg_constraint WHERE conrelid = 'api.jobs'::regclass
            UNION ALL SELECT 'index ' || indexdef FROM pg_indexes WHERE schemaname = 'api'
            UNION ALL SELECT 'view ' || pg_get_viewdef('api.jobs_latest'::regclass)
            UNION ALL SELECT 'grant ' || grantee || ' ' || table_name || ' ' || privilege_type
                FROM information_schema.role_table_grants WHERE table_schema = 'api'
            UNION ALL SELECT 'sequence ' || r || ' ' || has_sequence_privilege(r, 'api.jobs_id_seq', 'USAGE')
                FROM unnest(ARRAY['web_anon', 'jobs_writer']) r
            UNION ALL SELECT 'member ' || m.rolname || ' of ' || g.rolname
                FROM pg_auth_members a JOIN pg_roles m ON m.oid = a.member JOIN pg_roles g ON g.oid = a.roleid
                WHERE m.rolname = 'authenticator'
            UNION ALL SELECT 'comment ' || coalesce(col_description('api.jobs'::regclass, attnum), '(none)')
                FROM pg_attribute WHERE attrelid = 'api.jobs'::regclass AND attnum > 0
            UNION ALL SELECT 'relations ' || count(*) FROM pg_class WHERE relnamespace = 'api'::regnamespace
            UNION ALL SELECT 'trigger ' || pg_get_triggerdef(oid) FROM pg_trigger WHERE tgrelid = 'api.jobs'::regclass AND NOT tgisinternal
            UNION ALL SELECT 'function ' || p.oid::regprocedure || ' ' || md5(p.prosrc) FROM pg_proc p WHERE p.pronamespace = 'jobutil'::regnamespace
        ) catalog
        """;

    [OneTimeSetUp]
    public Task CreateDatabaseAsync() => ClusterSetUp.CreateSchemaDatabaseAsync(Database);

    [Test]
    public async Task Applying_the_schema_again_changes_nothing_and_keeps_the_rows()
    {
        const string fresh = "schema_reapplied";
        await ClusterSetUp.Cluster.CreateDatabaseAsync(fresh);
        await ClusterSetUp.ApplySchemaAsync(fresh);
        await using var connection = await ClusterSetUp.Cluster.OpenAsync(fresh);
        var before = await DatabaseErrors.ScalarAsync<string>(connection, CatalogSnapshotSql);
        var id = await PostgrestInsert.InsertAsync(connection, RejectedRows.ValidBody);

        await ClusterSetUp.ApplySchemaAsync(fresh);

        Assert.Multiple(async () =>
        {
            Assert.That(await DatabaseErrors.ScalarAsync<string>(connection, CatalogSnapshotSql), Is.EqualTo(before));
            Assert.That(await DatabaseErrors.ScalarAsync<long>(connection, $"SELECT count(*) FROM api.jobs WHERE id = {id}"), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task Jobs_has_the_nine_columns_of_the_contract_then_the_heartbeat_columns_then_the_cursor()
    {
        await using var connection = await ClusterSetUp.Cluster.OpenAsync(Database);
        var columns = new List<string>();
        await using (var command = new NpgsqlCommand(
            "SELECT column_name, data_type, is_nullable FROM information_schema.columns WHERE table_schema = 'api' AND table_name = 'jobs' ORDER BY ordinal_position",
            connection))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                columns.Add($"{reader.GetString(0)} {reader.GetString(1)} {(reader.GetString(2) == "YES" ? "null" : "not null")}");
            }
        }

        Assert.That(columns, Is.EqualTo(new[]
        {
            "id integer not null",
            "name text not null",
            "start_date timestamp with time zone not null",
            "end_date timestamp with time zone null",
            "message text null",
            "status text not null",
            "records_processed integer null",
            "source text not null",
            "destination text not null",
            "heartbeat_at timestamp with time zone null",
            "host text null",
            "cursor text null",
            "run_key uuid null",
        }));
    }

    [Test]
    public async Task The_server_assigns_the_id()
    {
        await using var connection = await ClusterSetUp.Cluster.OpenAsync(Database);
        var first = await PostgrestInsert.InsertAsync(connection, RejectedRows.ValidBody);
        var second = await PostgrestInsert.InsertAsync(connection, RejectedRows.ValidBody);

        Assert.That(second, Is.GreaterThan(first));
    }

    [Test]
    public async Task The_table_and_each_of_its_columns_have_a_comment()
    {
        await using var connection = await ClusterSetUp.Cluster.OpenAsync(Database);
        var uncommented = await DatabaseErrors.ScalarAsync<string[]>(
            connection,
            "SELECT coalesce(array_agg(attname::text), '{}') FROM pg_attribute WHERE attrelid = 'api.jobs'::regclass AND attnum > 0 AND NOT attisdropped AND coalesce(col_description(attrelid, attnum), '') = ''");
        var tableComment = await DatabaseErrors.ScalarAsync<object>(connection, "SELECT obj_description('api.jobs'::regclass, 'pg_class')");

        Assert.Multiple(() =>
        {
            Assert.That(uncommented, Is.Empty, "columns without a comment");
            Assert.That(tableComment, Is.InstanceOf<string>().And.Not.Empty, "the table's comment");
        });
    }

    [Test]
    public async Task Jobs_latest_holds_the_newest_run_of_each_name()
    {
        const string fresh = "schema_latest";
        await ClusterSetUp.CreateSchemaDatabaseAsync(fresh);
        await using var connection = await ClusterSetUp.Cluster.OpenAsync(fresh);
        // Ids deliberately out of start order: the newest run is the one with the greatest start_date.
        var refused = await DatabaseErrors.SqlStateOfAsync(connection, """
            INSERT INTO api.jobs (name, start_date, end_date, status, source, destination) VALUES
                ('a', '2024-01-03T00:00:00Z', '2024-01-03T01:00:00Z', 'error',       's', 'd'),
                ('a', '2024-01-01T00:00:00Z', '2024-01-01T01:00:00Z', 'success',     's', 'd'),
                ('a', '2024-01-02T00:00:00Z', NULL,                   'in_progress', 's', 'd'),
                ('b', '2024-02-01T00:00:00Z', NULL,                   'in_progress', 's', 'd'),
                ('b', '2024-01-01T00:00:00Z', '2024-01-01T01:00:00Z', 'success',     's', 'd')
            """);
        Assert.That(refused, Is.Null);

        var latest = new List<string>();
        await using (var command = new NpgsqlCommand("SELECT name, status FROM api.jobs_latest ORDER BY name", connection))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                latest.Add($"{reader.GetString(0)} {reader.GetString(1)}");
            }
        }

        Assert.That(latest, Is.EqualTo(new[] { "a error", "b in_progress" }));
    }
}
