using Npgsql;

namespace JobUtil.Database.Tests;

/// <summary>
/// Recovery of stale runs as db/schema.sql documents it: one conditional update per run (status still in_progress, and
/// the heartbeat, or the start when there is none, older than the threshold). Two recoverers end a run once, a run that
/// heartbeats in between is not ended, and with the overlap guard on, the next start goes through once the stale run is ended.
/// </summary>
public class RecoveryTests
{
    private const string Database = "recovery";
    private const string UniqueViolation = "23505";

    // What PostgREST runs for the documented
    //   PATCH /jobs?id=eq.N&status=eq.in_progress&or=(heartbeat_at.lt.X,and(heartbeat_at.is.null,start_date.lt.X))
    private const string RecoverOneSql = """
        UPDATE api.jobs SET status = 'error', end_date = @ended, message = @message
        WHERE id = @id AND status = 'in_progress' AND (heartbeat_at < @threshold OR (heartbeat_at IS NULL AND start_date < @threshold))
        """;

    // The same without the id: every stale run at once, as from cron.
    private const string RecoverAllSql = """
        UPDATE api.jobs SET status = 'error', end_date = @ended, message = @message
        WHERE status = 'in_progress' AND (heartbeat_at < @threshold OR (heartbeat_at IS NULL AND start_date < @threshold))
        """;

    private static readonly DateTimeOffset Started = new(2024, 5, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Threshold = Started.AddHours(1);
    private static readonly DateTimeOffset Now = Started.AddHours(2);

    private NpgsqlConnection _connection = null!;

    [OneTimeSetUp]
    public async Task CreateDatabaseWithTheGuardAsync()
    {
        await ClusterSetUp.CreateSchemaDatabaseAsync(Database);
        _connection = await ClusterSetUp.Cluster.OpenAsync(Database);
        await DatabaseErrors.SqlStateOfAsync(_connection, SchemaFile.OverlapGuardStatement);
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

    [Test]
    public async Task A_run_is_stale_by_its_heartbeat_or_by_its_start_when_it_has_none()
    {
        var oldHeartbeat = await StartAsync("a", heartbeat: Started.AddMinutes(10));
        var noHeartbeat = await StartAsync("b", heartbeat: null);
        var freshHeartbeat = await StartAsync("c", heartbeat: Now);
        var recentStart = await StartAsync("d", heartbeat: null, started: Now);

        Assert.Multiple(async () =>
        {
            Assert.That(await RecoverAsync(_connection, oldHeartbeat), Is.EqualTo(1));
            Assert.That(await RecoverAsync(_connection, noHeartbeat), Is.EqualTo(1));
            Assert.That(await RecoverAsync(_connection, freshHeartbeat), Is.Zero);
            Assert.That(await RecoverAsync(_connection, recentStart), Is.Zero);
            Assert.That(await StatusesAsync(), Is.EqualTo("a error, b error, c in_progress, d in_progress"));
        });
    }

    [Test]
    public async Task Two_concurrent_recoverers_end_a_stale_run_once()
    {
        var id = await StartAsync("nightly", heartbeat: Started.AddMinutes(5));
        await using var first = await ClusterSetUp.Cluster.OpenAsync(Database);
        await using var second = await ClusterSetUp.Cluster.OpenAsync(Database);

        int firstEnded;
        Task<int> secondEnded;
        await using (var transaction = await first.BeginTransactionAsync())
        {
            firstEnded = await RecoverAsync(first, id, "abandoned (first recoverer)");

            // The second waits on the first's row lock, then re-checks its condition on the committed row.
            secondEnded = RecoverAsync(second, id, "abandoned (second recoverer)");
            await WaitUntilWaitingOnALockAsync(second.ProcessID);
            await transaction.CommitAsync();
        }

        Assert.Multiple(async () =>
        {
            Assert.That((firstEnded, await secondEnded), Is.EqualTo((1, 0)));
            Assert.That(await MessageAsync(id), Is.EqualTo("abandoned (first recoverer)"));
        });
    }

    [Test]
    public async Task Recoverers_running_at_once_end_every_stale_run_exactly_once()
    {
        var stale = new List<int>();
        for (var i = 0; i < 5; i++)
        {
            stale.Add(await StartAsync($"job_{i}", heartbeat: i % 2 == 0 ? null : Started.AddMinutes(i)));
        }

        var live = await StartAsync("live", heartbeat: Now);
        var connections = new List<NpgsqlConnection>();
        for (var i = 0; i < 4; i++)
        {
            connections.Add(await ClusterSetUp.Cluster.OpenAsync(Database));
        }

        try
        {
            var ended = await Task.WhenAll(connections.Select((c, i) => ExecuteAsync(c, RecoverAllSql, null, $"abandoned ({i})")));

            Assert.Multiple(async () =>
            {
                Assert.That(ended.Sum(), Is.EqualTo(stale.Count), "runs ended in total");
                Assert.That(await DatabaseErrors.ScalarAsync<long>(_connection, "SELECT count(*) FROM api.jobs WHERE status = 'error'"), Is.EqualTo(stale.Count));
                Assert.That(await DatabaseErrors.ScalarAsync<string>(_connection, $"SELECT status FROM api.jobs WHERE id = {live}"), Is.EqualTo("in_progress"));
            });
        }
        finally
        {
            foreach (var connection in connections)
            {
                await connection.DisposeAsync();
            }
        }
    }

    [Test]
    public async Task A_run_that_heartbeats_after_the_lookup_is_not_ended()
    {
        var id = await StartAsync("nightly", heartbeat: Started.AddMinutes(5));
        await using var runner = await ClusterSetUp.Cluster.OpenAsync(Database);

        var candidates = await DatabaseErrors.ScalarAsync<long>(
            _connection, $"SELECT count(*) FROM api.jobs WHERE status = 'in_progress' AND (heartbeat_at < '{Threshold:O}' OR (heartbeat_at IS NULL AND start_date < '{Threshold:O}'))");
        await Heartbeat(runner, id);
        var ended = await RecoverAsync(_connection, id);

        Assert.Multiple(async () =>
        {
            Assert.That(candidates, Is.EqualTo(1), "the lookup saw the run as stale");
            Assert.That(ended, Is.Zero);
            Assert.That(await DatabaseErrors.ScalarAsync<string>(_connection, $"SELECT status FROM api.jobs WHERE id = {id}"), Is.EqualTo("in_progress"));
        });
    }

    [Test]
    public async Task A_run_whose_heartbeat_is_being_written_while_recovery_updates_is_not_ended()
    {
        var id = await StartAsync("nightly", heartbeat: Started.AddMinutes(5));
        await using var runner = await ClusterSetUp.Cluster.OpenAsync(Database);
        await using var recoverer = await ClusterSetUp.Cluster.OpenAsync(Database);

        Task<int> ended;
        await using (var transaction = await runner.BeginTransactionAsync())
        {
            await Heartbeat(runner, id);
            ended = RecoverAsync(recoverer, id);
            await WaitUntilWaitingOnALockAsync(recoverer.ProcessID);
            await transaction.CommitAsync();
        }

        Assert.Multiple(async () =>
        {
            Assert.That(await ended, Is.Zero);
            Assert.That(await DatabaseErrors.ScalarAsync<string>(_connection, $"SELECT status FROM api.jobs WHERE id = {id}"), Is.EqualTo("in_progress"));
        });
    }

    [Test]
    public async Task With_the_guard_a_crashed_run_blocks_the_next_start_until_recovery_ends_it()
    {
        var crashed = await StartAsync("nightly", heartbeat: Started.AddMinutes(5));

        var blocked = await PostgrestInsert.SqlStateOfAsync(_connection, Body("nightly", Now));
        var recovered = await RecoverAsync(_connection, crashed);
        var next = await PostgrestInsert.SqlStateOfAsync(_connection, Body("nightly", Now));

        Assert.That((blocked, recovered, next), Is.EqualTo((UniqueViolation, 1, (string?)null)));
    }

    [Test]
    public async Task With_the_guard_a_live_run_is_not_recovered_and_still_blocks_the_next_start()
    {
        var live = await StartAsync("nightly", heartbeat: Now);

        var recovered = await RecoverAsync(_connection, live);
        var next = await PostgrestInsert.SqlStateOfAsync(_connection, Body("nightly", Now));

        Assert.That((recovered, next), Is.EqualTo((0, UniqueViolation)));
    }

    [Test]
    public async Task A_recovered_run_is_final()
    {
        var id = await StartAsync("nightly", heartbeat: null);
        await RecoverAsync(_connection, id);

        Assert.That(
            await DatabaseErrors.SqlStateOfAsync(_connection, $"UPDATE api.jobs SET status = 'success', records_processed = 10 WHERE id = {id}"),
            Is.EqualTo("23J01"),
            "the process that was thought dead reports success too late");
    }

    private async Task<int> StartAsync(string name, DateTimeOffset? heartbeat, DateTimeOffset? started = null)
    {
        await using var command = new NpgsqlCommand(
            "INSERT INTO api.jobs (name, start_date, status, source, destination, heartbeat_at, host) VALUES (@name, @started, 'in_progress', 's', 'd', @heartbeat, 'etl-1') RETURNING id",
            _connection);
        command.Parameters.AddWithValue("name", name);
        command.Parameters.AddWithValue("started", started ?? Started);
        command.Parameters.AddWithValue("heartbeat", heartbeat is { } h ? h : DBNull.Value);
        return (int)(await command.ExecuteScalarAsync())!;
    }

    private static Task<int> RecoverAsync(NpgsqlConnection connection, int id, string message = "abandoned")
        => ExecuteAsync(connection, RecoverOneSql, id, message);

    private static async Task<int> ExecuteAsync(NpgsqlConnection connection, string sql, int? id, string message)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("ended", Now);
        command.Parameters.AddWithValue("message", message);
        command.Parameters.AddWithValue("threshold", Threshold);
        if (id is { } value)
        {
            command.Parameters.AddWithValue("id", value);
        }

        return await command.ExecuteNonQueryAsync();
    }

    private static async Task Heartbeat(NpgsqlConnection connection, int id)
    {
        await using var command = new NpgsqlCommand("UPDATE api.jobs SET heartbeat_at = @now WHERE id = @id AND status = 'in_progress'", connection);
        command.Parameters.AddWithValue("now", Now);
        command.Parameters.AddWithValue("id", id);
        Assert.That(await command.ExecuteNonQueryAsync(), Is.EqualTo(1), "the heartbeat was recorded");
    }

    /// <summary>Waits until the backend <paramref name="pid"/> is blocked on a lock (the row another transaction holds).</summary>
    private async Task WaitUntilWaitingOnALockAsync(int pid)
    {
        var deadline = TimeSpan.FromSeconds(60);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (!await DatabaseErrors.ScalarAsync<bool>(_connection, $"SELECT EXISTS (SELECT FROM pg_stat_activity WHERE pid = {pid} AND wait_event_type = 'Lock')"))
        {
            if (watch.Elapsed > deadline)
            {
                Assert.Fail($"backend {pid} never waited on a lock");
            }

            await Task.Delay(20);
        }
    }

    private async Task<string> MessageAsync(int id)
        => await DatabaseErrors.ScalarAsync<string>(_connection, $"SELECT message FROM api.jobs WHERE id = {id}");

    private async Task<string> StatusesAsync()
        => await DatabaseErrors.ScalarAsync<string>(_connection, "SELECT string_agg(name || ' ' || status, ', ' ORDER BY name) FROM api.jobs");

    private static string Body(string name, DateTimeOffset started)
        => $$"""{"name":"{{name}}","start_date":"{{started:O}}","end_date":null,"status":"in_progress","source":"s","destination":"d"}""";
}
