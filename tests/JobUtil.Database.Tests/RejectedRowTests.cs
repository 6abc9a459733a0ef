using Npgsql;

namespace JobUtil.Database.Tests;

/// <summary>The table's constraints and types refuse bad rows with the SQLSTATE PostgREST passes on to clients.</summary>
public class RejectedRowTests
{
    private const string Database = "rejected_rows";
    private NpgsqlConnection _connection = null!;

    private static IEnumerable<TestCaseData> Cases
        => RejectedRows.All.Select(c => new TestCaseData(c).SetArgDisplayNames(c.Name));

    [OneTimeSetUp]
    public async Task CreateDatabaseAsync()
    {
        await ClusterSetUp.CreateSchemaDatabaseAsync(Database);
        _connection = await ClusterSetUp.Cluster.OpenAsync(Database);
    }

    [OneTimeTearDown]
    public async Task CloseAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }
    }

    [Test]
    public async Task The_valid_row_that_every_case_breaks_is_accepted()
    {
        Assert.That(await PostgrestInsert.SqlStateOfAsync(_connection, RejectedRows.ValidBody), Is.Null);
    }

    [TestCaseSource(nameof(Cases))]
    public async Task A_bad_row_is_refused_with_its_sqlstate(RejectedRows.Case row)
    {
        Assert.That(await PostgrestInsert.SqlStateOfAsync(_connection, row.Body), Is.EqualTo(row.SqlState), row.Body);
    }

    [Test]
    public async Task An_update_cannot_end_a_run_before_it_started()
    {
        await using var transaction = await _connection.BeginTransactionAsync();
        var id = await PostgrestInsert.InsertAsync(_connection, RejectedRows.ValidBody);

        var state = await DatabaseErrors.SqlStateOfAsync(
            _connection, $"UPDATE api.jobs SET end_date = start_date - interval '1 second', status = 'success' WHERE id = {id}");

        Assert.That(state, Is.EqualTo("23514"));
        await transaction.RollbackAsync();
    }

    [Test]
    public async Task A_run_may_end_at_the_instant_it_started()
    {
        await using var transaction = await _connection.BeginTransactionAsync();
        var id = await PostgrestInsert.InsertAsync(_connection, RejectedRows.ValidBody);

        var state = await DatabaseErrors.SqlStateOfAsync(
            _connection, $"UPDATE api.jobs SET end_date = start_date, status = 'success', records_processed = 0 WHERE id = {id}");

        Assert.That(state, Is.Null);
        await transaction.RollbackAsync();
    }
}
