using Npgsql;

namespace JobUtil.Database.Tests;

/// <summary>
/// The jobs_final_state trigger of db/schema.sql: a finished run's columns cannot change (SQLSTATE 23J01, which PostgREST
/// answers with 400), a run in progress can, and the table's owner can correct a finished run after
/// <c>SET LOCAL jobutil.allow_final_update = on</c>.
/// </summary>
public class FinalStateTriggerTests
{
    private const string Database = "final_state";
    private const string FinalState = "23J01";
    private NpgsqlConnection _connection = null!;

    [OneTimeSetUp]
    public async Task CreateDatabaseAsync()
    {
        await ClusterSetUp.CreateSchemaDatabaseAsync(Database);
        _connection = await ClusterSetUp.Cluster.OpenAsync(Database);
        await DatabaseErrors.SqlStateOfAsync(_connection, "SET TimeZone = 'UTC'");
    }

    [OneTimeTearDown]
    public async Task CloseAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }
    }

    [SetUp]
    public Task EmptyTableAsync() => DatabaseErrors.SqlStateOfAsync(_connection, "TRUNCATE api.jobs RESTART IDENTITY");

    [TestCase("status = 'error'", "status")]
    [TestCase("start_date = start_date - interval '1 day'", "start_date")]
    [TestCase("end_date = end_date + interval '1 second'", "end_date")]
    [TestCase("end_date = NULL", "end_date")]
    [TestCase("records_processed = 0", "records_processed")]
    [TestCase("records_processed = NULL", "records_processed")]
    [TestCase("message = 'overwritten'", "message")]
    [TestCase("heartbeat_at = now()", "heartbeat_at")]
    [TestCase("host = 'etl-2'", "host")]
    [TestCase("name = 'renamed'", "name")]
    [TestCase("source = 'other', destination = 'other'", "source, destination")]
    public async Task Changing_a_finished_run_is_refused_and_names_what_would_change(string assignment, string changed)
    {
        var id = await InsertFinishedAsync(_connection);

        var refusal = Assert.ThrowsAsync<PostgresException>(() => ExecuteAsync(_connection, $"UPDATE api.jobs SET {assignment} WHERE id = {id}"));

        Assert.Multiple(async () =>
        {
            Assert.That(refusal!.SqlState, Is.EqualTo(FinalState));
            Assert.That(refusal.Detail, Is.EqualTo($"The update would change: {changed}."));
            Assert.That(refusal.ConstraintName, Is.EqualTo("jobs_final_state"));
            Assert.That(await RowAsync(id), Is.EqualTo("success|2024-05-01 01:00:00+00|503|done|etl-1"), "the row is unchanged");
        });
    }

    [Test]
    public async Task The_error_names_the_run_what_it_holds_and_the_escape()
    {
        var id = await InsertFinishedAsync(_connection);

        var refusal = Assert.ThrowsAsync<PostgresException>(() => ExecuteAsync(_connection, $"UPDATE api.jobs SET status = 'error' WHERE id = {id}"));

        Assert.Multiple(() =>
        {
            Assert.That(refusal!.MessageText, Is.EqualTo($"run {id} of job \"nightly\" has already ended (status success, end_date 2024-05-01 01:00:00+00, records_processed 503) and cannot be changed"));
            Assert.That(refusal.Hint, Is.EqualTo("A finished run is final. The table's owner may correct it in a transaction after SET LOCAL jobutil.allow_final_update = on."));
            Assert.That(refusal.TableName, Is.EqualTo("jobs"));
            Assert.That(refusal.SchemaName, Is.EqualTo("api"));
        });
    }

    [Test]
    public async Task Setting_the_values_a_finished_run_already_holds_is_allowed()
    {
        var id = await InsertFinishedAsync(_connection);

        var state = await DatabaseErrors.SqlStateOfAsync(
            _connection, $"UPDATE api.jobs SET status = 'success', end_date = '2024-05-01T01:00:00Z', records_processed = 503, message = 'done' WHERE id = {id}");

        Assert.That(state, Is.Null);
    }

    [Test]
    public async Task A_run_in_progress_takes_heartbeats_updates_and_its_outcome_as_the_writer()
    {
        await using var writer = await RoleTests.OpenAsAsync(Database, "jobs_writer");
        var id = await PostgrestInsert.InsertAsync(writer, RejectedRows.ValidBody);

        Assert.Multiple(async () =>
        {
            Assert.That(await DatabaseErrors.SqlStateOfAsync(writer, $"UPDATE api.jobs SET heartbeat_at = now(), host = 'etl-1' WHERE id = {id}"), Is.Null);
            Assert.That(await DatabaseErrors.SqlStateOfAsync(writer, $"UPDATE api.jobs SET heartbeat_at = now(), message = 'halfway' WHERE id = {id}"), Is.Null);
            Assert.That(await DatabaseErrors.SqlStateOfAsync(writer, $"UPDATE api.jobs SET status = 'success', end_date = now(), records_processed = 3 WHERE id = {id}"), Is.Null);
            Assert.That(await DatabaseErrors.SqlStateOfAsync(writer, $"UPDATE api.jobs SET heartbeat_at = now() WHERE id = {id}"), Is.EqualTo(FinalState), "a late heartbeat");
            Assert.That(await DatabaseErrors.SqlStateOfAsync(writer, $"UPDATE api.jobs SET status = 'error' WHERE id = {id}"), Is.EqualTo(FinalState));
        });
    }

    [Test]
    public async Task A_conditional_update_of_a_finished_run_matches_nothing_and_raises_nothing()
    {
        var id = await InsertFinishedAsync(_connection);

        await using var update = new NpgsqlCommand($"UPDATE api.jobs SET status = 'error' WHERE id = {id} AND status = 'in_progress'", _connection);

        Assert.That(await update.ExecuteNonQueryAsync(), Is.Zero);
    }

    [Test]
    public async Task The_owner_may_correct_a_finished_run_after_setting_the_escape_for_the_transaction()
    {
        var id = await InsertFinishedAsync(_connection);

        await using (var transaction = await _connection.BeginTransactionAsync())
        {
            await ExecuteAsync(_connection, "SET LOCAL jobutil.allow_final_update = on");
            await ExecuteAsync(_connection, $"UPDATE api.jobs SET status = 'error', message = 'corrected by hand' WHERE id = {id}");
            await transaction.CommitAsync();
        }

        Assert.Multiple(async () =>
        {
            Assert.That(await RowAsync(id), Is.EqualTo("error|2024-05-01 01:00:00+00|503|corrected by hand|etl-1"));
            Assert.That(
                await DatabaseErrors.SqlStateOfAsync(_connection, $"UPDATE api.jobs SET status = 'success' WHERE id = {id}"),
                Is.EqualTo(FinalState),
                "SET LOCAL ends with the transaction");
        });
    }

    [Test]
    public async Task The_escape_is_ignored_for_the_writer_role()
    {
        var id = await InsertFinishedAsync(_connection);
        await using var writer = await RoleTests.OpenAsAsync(Database, "jobs_writer");

        await ExecuteAsync(writer, "SET jobutil.allow_final_update = on");

        Assert.That(await DatabaseErrors.SqlStateOfAsync(writer, $"UPDATE api.jobs SET status = 'error' WHERE id = {id}"), Is.EqualTo(FinalState));
    }

    [Test]
    public async Task The_owner_is_refused_too_without_the_escape()
    {
        var id = await InsertFinishedAsync(_connection);

        Assert.That(await DatabaseErrors.SqlStateOfAsync(_connection, $"UPDATE api.jobs SET records_processed = 1 WHERE id = {id}"), Is.EqualTo(FinalState));
    }

    [Test]
    public async Task A_finished_run_may_still_be_inserted()
    {
        Assert.That(await DatabaseErrors.SqlStateOfAsync(_connection, "INSERT INTO api.jobs (name, start_date, end_date, status, source, destination) VALUES ('n', now(), now(), 'error', 's', 'd')"), Is.Null);
    }

    internal static async Task<int> InsertFinishedAsync(NpgsqlConnection connection)
        => await DatabaseErrors.ScalarAsync<int>(connection, """
            INSERT INTO api.jobs (name, start_date, end_date, message, status, records_processed, source, destination, heartbeat_at, host)
            VALUES ('nightly', '2024-05-01T00:00:00Z', '2024-05-01T01:00:00Z', 'done', 'success', 503, 'inventory', 'warehouse', '2024-05-01T00:30:00Z', 'etl-1')
            RETURNING id
            """);

    private async Task<string> RowAsync(int id)
        => await DatabaseErrors.ScalarAsync<string>(_connection, $"SELECT concat_ws('|', status, end_date::text, records_processed, message, host) FROM api.jobs WHERE id = {id}");

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
