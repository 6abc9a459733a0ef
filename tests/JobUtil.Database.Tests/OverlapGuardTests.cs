using Npgsql;

namespace JobUtil.Database.Tests;

/// <summary>
/// The opt-in overlap guard of db/schema.sql, enabled by running the statement its comment gives: one in_progress
/// run per job name, a second start refused with 23505 (which PostgREST answers with 409).
/// </summary>
public class OverlapGuardTests
{
    private const string Database = "overlap_guard";
    private const string UniqueViolation = "23505";
    private NpgsqlConnection _connection = null!;

    [OneTimeSetUp]
    public async Task CreateDatabaseWithTheGuardAsync()
    {
        await ClusterSetUp.CreateSchemaDatabaseAsync(Database);
        _connection = await ClusterSetUp.Cluster.OpenAsync(Database);
        // Twice: enabling the guard on a database where it already is must be harmless too.
        await ExecuteAsync(SchemaFile.OverlapGuardStatement);
        await ExecuteAsync(SchemaFile.OverlapGuardStatement);
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
    public Task EmptyTableAsync() => ExecuteAsync("TRUNCATE api.jobs");

    [Test]
    public async Task The_guard_is_off_until_enabled()
    {
        const string fresh = "overlap_guard_off";
        await ClusterSetUp.CreateSchemaDatabaseAsync(fresh);
        await using var connection = await ClusterSetUp.Cluster.OpenAsync(fresh);

        await PostgrestInsert.InsertAsync(connection, Run("nightly", "in_progress", 1));

        Assert.That(await PostgrestInsert.SqlStateOfAsync(connection, Run("nightly", "in_progress", 2)), Is.Null);
    }

    [Test]
    public async Task A_second_run_of_a_job_in_progress_is_refused_with_23505()
    {
        await PostgrestInsert.InsertAsync(_connection, Run("nightly", "in_progress", 1));

        var refusal = Assert.ThrowsAsync<PostgresException>(() => PostgrestInsert.InsertAsync(_connection, Run("nightly", "in_progress", 2)));

        Assert.Multiple(() =>
        {
            Assert.That(refusal!.SqlState, Is.EqualTo(UniqueViolation));
            Assert.That(refusal.ConstraintName, Is.EqualTo("jobs_one_in_progress_per_name"));
        });
    }

    [Test]
    public async Task A_concurrent_second_start_is_refused_once_the_first_commits()
    {
        await using var other = await ClusterSetUp.Cluster.OpenAsync(Database);
        await using var first = await _connection.BeginTransactionAsync();
        await PostgrestInsert.InsertAsync(_connection, Run("nightly", "in_progress", 1));

        // The second insert waits on the first transaction's uncommitted index entry, then fails when it commits.
        var second = PostgrestInsert.SqlStateOfAsync(other, Run("nightly", "in_progress", 2));
        await first.CommitAsync();

        Assert.That(await second, Is.EqualTo(UniqueViolation));
    }

    [Test]
    public async Task Another_job_may_start_while_one_is_in_progress()
    {
        await PostgrestInsert.InsertAsync(_connection, Run("nightly", "in_progress", 1));

        Assert.That(await PostgrestInsert.SqlStateOfAsync(_connection, Run("hourly", "in_progress", 2)), Is.Null);
    }

    [Test]
    public async Task Ended_runs_do_not_conflict()
    {
        await PostgrestInsert.InsertAsync(_connection, Run("nightly", "success", 1));
        await PostgrestInsert.InsertAsync(_connection, Run("nightly", "success", 2));
        await PostgrestInsert.InsertAsync(_connection, Run("nightly", "error", 3));

        Assert.That(await PostgrestInsert.SqlStateOfAsync(_connection, Run("nightly", "in_progress", 4)), Is.Null);
    }

    [Test]
    public async Task A_job_may_start_again_once_its_run_has_ended()
    {
        var id = await PostgrestInsert.InsertAsync(_connection, Run("nightly", "in_progress", 1));
        await ExecuteAsync($"UPDATE api.jobs SET status = 'success', end_date = start_date WHERE id = {id}");

        Assert.That(await PostgrestInsert.SqlStateOfAsync(_connection, Run("nightly", "in_progress", 2)), Is.Null);
    }

    private static string Run(string name, string status, int hour)
    {
        var start = $"2024-05-01T{hour:00}:00:00+00:00";
        var end = status == "in_progress" ? "null" : $"\"{start}\"";
        return $$"""{"name":"{{name}}","start_date":"{{start}}","end_date":{{end}},"status":"{{status}}","source":"s","destination":"d"}""";
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var command = new NpgsqlCommand(sql, _connection);
        await command.ExecuteNonQueryAsync();
    }
}
