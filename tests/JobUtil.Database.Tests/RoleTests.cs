using Npgsql;

namespace JobUtil.Database.Tests;

/// <summary>
/// The roles PostgREST switches to, reached the way PostgREST reaches them: log in as <c>authenticator</c>, then
/// <c>SET ROLE</c> to the anonymous role or to the role named by the token.
/// </summary>
public class RoleTests
{
    private const string Database = "roles";
    private const string PermissionDenied = "42501";
    private int _existingId;

    [OneTimeSetUp]
    public async Task CreateDatabaseAsync()
    {
        await ClusterSetUp.CreateSchemaDatabaseAsync(Database);
        await using var connection = await ClusterSetUp.Cluster.OpenAsync(Database);
        _existingId = await PostgrestInsert.InsertAsync(connection, RejectedRows.ValidBody);
    }

    [TestCase("web_anon")]
    [TestCase("jobs_writer")]
    public async Task The_role_reads_the_table_and_the_view(string role)
    {
        await using var connection = await OpenAsAsync(role);

        Assert.Multiple(async () =>
        {
            Assert.That(await DatabaseErrors.ScalarAsync<long>(connection, "SELECT count(*) FROM api.jobs"), Is.GreaterThanOrEqualTo(1));
            Assert.That(await DatabaseErrors.ScalarAsync<long>(connection, "SELECT count(*) FROM api.jobs_latest"), Is.GreaterThanOrEqualTo(1));
        });
    }

    [Test]
    public async Task The_anonymous_role_cannot_insert()
    {
        await using var connection = await OpenAsAsync("web_anon");

        Assert.That(await InsertStateAsync(connection), Is.EqualTo(PermissionDenied));
    }

    [TestCase("UPDATE api.jobs SET status = 'error' WHERE id = {0}")]
    [TestCase("DELETE FROM api.jobs WHERE id = {0}")]
    [TestCase("TRUNCATE api.jobs")]
    public async Task The_anonymous_role_cannot_change_rows(string statement)
    {
        await using var connection = await OpenAsAsync("web_anon");

        Assert.That(await DatabaseErrors.SqlStateOfAsync(connection, string.Format(System.Globalization.CultureInfo.InvariantCulture, statement, _existingId)), Is.EqualTo(PermissionDenied));
    }

    [Test]
    public async Task The_writer_starts_and_ends_a_run()
    {
        await using var connection = await OpenAsAsync("jobs_writer");
        var id = await PostgrestInsert.InsertAsync(connection, RejectedRows.ValidBody);

        var ended = await DatabaseErrors.SqlStateOfAsync(
            connection, $"UPDATE api.jobs SET status = 'success', end_date = start_date + interval '1 minute', records_processed = 503 WHERE id = {id}");

        Assert.Multiple(async () =>
        {
            Assert.That(ended, Is.Null);
            Assert.That(await DatabaseErrors.ScalarAsync<string>(connection, $"SELECT status FROM api.jobs WHERE id = {id}"), Is.EqualTo("success"));
        });
    }

    [TestCase("DELETE FROM api.jobs WHERE id = {0}")]
    [TestCase("DELETE FROM api.jobs")]
    [TestCase("TRUNCATE api.jobs")]
    public async Task The_writer_cannot_delete(string statement)
    {
        await using var connection = await OpenAsAsync("jobs_writer");

        Assert.That(await DatabaseErrors.SqlStateOfAsync(connection, string.Format(System.Globalization.CultureInfo.InvariantCulture, statement, _existingId)), Is.EqualTo(PermissionDenied));
    }

    [Test]
    public async Task The_authenticator_has_no_rights_of_its_own()
    {
        await using var connection = await ClusterSetUp.Cluster.OpenAsync(Database, "authenticator");

        Assert.That(await DatabaseErrors.SqlStateOfAsync(connection, "SELECT count(*) FROM api.jobs"), Is.EqualTo(PermissionDenied));
    }

    [TestCase("web_anon", false)]
    [TestCase("jobs_writer", false)]
    [TestCase("authenticator", true)]
    public async Task Only_the_authenticator_logs_in(string role, bool canLogin)
    {
        await using var connection = await ClusterSetUp.Cluster.OpenAsync(Database);

        Assert.That(await DatabaseErrors.ScalarAsync<bool>(connection, $"SELECT rolcanlogin FROM pg_roles WHERE rolname = '{role}'"), Is.EqualTo(canLogin));
    }

    [Test]
    public async Task The_writer_records_heartbeats_and_the_host()
    {
        await using var connection = await OpenAsAsync("jobs_writer");
        var id = await PostgrestInsert.InsertAsync(connection, RejectedRows.ValidBody);

        var updated = await DatabaseErrors.SqlStateOfAsync(connection, $"UPDATE api.jobs SET heartbeat_at = now(), host = 'etl-1' WHERE id = {id}");

        Assert.Multiple(async () =>
        {
            Assert.That(updated, Is.Null);
            Assert.That(await DatabaseErrors.ScalarAsync<string>(connection, $"SELECT host FROM api.jobs WHERE id = {id} AND heartbeat_at IS NOT NULL"), Is.EqualTo("etl-1"));
        });
    }

    [TestCase("UPDATE api.jobs SET heartbeat_at = now() WHERE id = {0}")]
    [TestCase("UPDATE api.jobs SET host = 'h' WHERE id = {0}")]
    public async Task The_anonymous_role_cannot_record_heartbeats(string statement)
    {
        await using var connection = await OpenAsAsync("web_anon");

        Assert.That(await DatabaseErrors.SqlStateOfAsync(connection, string.Format(System.Globalization.CultureInfo.InvariantCulture, statement, _existingId)), Is.EqualTo(PermissionDenied));
    }

    private static Task<NpgsqlConnection> OpenAsAsync(string role) => OpenAsAsync(Database, role);

    /// <summary>A connection to <paramref name="database"/> as PostgREST makes it: log in as authenticator, then switch to <paramref name="role"/>.</summary>
    internal static async Task<NpgsqlConnection> OpenAsAsync(string database, string role)
    {
        var connection = await ClusterSetUp.Cluster.OpenAsync(database, "authenticator");
        var switched = await DatabaseErrors.SqlStateOfAsync(connection, $"SET ROLE {role}");
        Assert.That(switched, Is.Null, $"authenticator could not switch to {role}");
        return connection;
    }

    private static async Task<string?> InsertStateAsync(NpgsqlConnection connection)
    {
        try
        {
            await PostgrestInsert.InsertAsync(connection, RejectedRows.ValidBody);
            return null;
        }
        catch (PostgresException e)
        {
            return e.SqlState;
        }
    }
}
