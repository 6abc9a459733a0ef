using JobUtil.Testing;
using JobUtil.Tests.Shared;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace JobUtil.Database.Tests;

/// <summary>
/// The jobs_fleet view of db/schema.sql: served by indexes, the same rows as FakeJobsApi's, every health state found
/// by JobFleet through it; and JobFleet's bounded fallback against a table with only the nine original columns.
/// </summary>
public class FleetViewTests
{
    private const string Database = "fleet";
    private const string SeedDatabase = "fleet_seed";

    private static readonly HttpClient Http = new();
    private NpgsqlConnection _connection = null!;
    private NpgsqlConnection _seedConnection = null!;
    private SqlPostgrest _server = null!;
    private SqlPostgrest _seedServer = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        await ClusterSetUp.CreateSchemaDatabaseAsync(Database);
        _connection = await ClusterSetUp.Cluster.OpenAsync(Database);
        _server = SqlPostgrest.Start(Database);

        await ClusterSetUp.Cluster.CreateDatabaseAsync(SeedDatabase);
        _seedConnection = await ClusterSetUp.Cluster.OpenAsync(SeedDatabase);
        await using (var create = new NpgsqlCommand(FleetRuns.SeedTableSql, _seedConnection))
        {
            await create.ExecuteNonQueryAsync();
        }

        _seedServer = SqlPostgrest.Start(SeedDatabase);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        if (_seedServer is not null)
        {
            await _seedServer.DisposeAsync();
        }

        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }

        if (_seedConnection is not null)
        {
            await _seedConnection.DisposeAsync();
        }
    }

    [Test]
    public async Task Every_health_state_is_found_through_the_view()
    {
        await FleetRuns.InsertAsync(_connection, FleetScenario.Rows);
        await FleetRuns.SetHeartbeatAsync(_connection, FleetScenario.StaleName, FleetScenario.StaleHeartbeatAt(FleetScenario.Now));
        var fleet = NewFleet(_server.Url);
        var before = _server.Requests;

        var health = await fleet.CheckAsync(FleetScenario.Policy);
        var named = await fleet.CheckAsync(FleetScenario.Policy, [FleetScenario.NeverRanName, "failing"]);

        Assert.Multiple(() =>
        {
            Assert.That(health.ToDictionary(h => h.Name, h => h.State), Is.EquivalentTo(FleetScenario.ExpectedStates(heartbeats: true)));
            Assert.That(named.Select(h => h.State), Is.EqualTo(new[] { JobHealthState.NeverRan, JobHealthState.Failing }));
            Assert.That(health.Single(h => h.Name == "failing").Job!.ConsecutiveFailures, Is.EqualTo(2));
            Assert.That(health.Single(h => h.Name == FleetScenario.StaleName).Job!.StalestHeartbeat, Is.EqualTo(FleetScenario.StaleHeartbeatAt(FleetScenario.Now)));
            Assert.That(_server.Requests - before, Is.EqualTo(2), "one request per check");
        });
    }

    [Test]
    public async Task The_fallback_reads_a_table_with_only_the_nine_columns()
    {
        await FleetRuns.InsertAsync(_seedConnection, FleetScenario.Rows);
        var before = _seedServer.Requests;

        var health = await NewFleet(_seedServer.Url).CheckAsync(FleetScenario.Policy);

        Assert.Multiple(() =>
        {
            Assert.That(health.ToDictionary(h => h.Name, h => h.State), Is.EquivalentTo(FleetScenario.ExpectedStates(heartbeats: false)));
            Assert.That(_seedServer.Requests - before, Is.EqualTo(4), "the view's 404, then three bounded reads of the table");
        });
    }

    [Test]
    public async Task The_view_answers_what_FakeJobsApi_answers()
    {
        var rows = FleetScenario.Rows.Concat(Generated()).ToList();
        await FleetRuns.InsertAsync(_connection, rows);
        using var fake = FakeJobsApi.Start();
        fake.Seed([.. rows]);

        foreach (var query in new[]
        {
            "?order=name.asc",
            "?select=name,last_run_id,consecutive_failures,runs_in_progress&name=in.(failing,late,job_07)&order=name.desc",
            "?select=name,last_success_end_date&name=eq.never_succeeded",
            "?select=name,last_cursor&order=name.desc",
        })
        {
            var postgres = await Http.GetStringAsync(_server.BaseUrl + "/jobs_fleet" + query);
            var emulated = await Http.GetStringAsync(fake.FleetUrl + query);
            Assert.That(postgres, Does.StartWith("[{\"name\":"), query);
            Assert.That(emulated, Is.EqualTo(postgres), query);
        }
    }

    [Test]
    public async Task The_view_is_readable_anonymously()
    {
        await using var connection = await ClusterSetUp.Cluster.OpenAsync(Database);
        await using var role = new NpgsqlCommand("SET ROLE web_anon; SELECT count(*) FROM api.jobs_fleet", connection);
        Assert.That(await role.ExecuteScalarAsync(), Is.Not.Null);
    }

    private static JobFleet NewFleet(string url)
        => new(new JobOptions { Url = url, MaxRetryAttempts = 0 }, Http, new FakeTimeProvider(FleetScenario.Now));

    /// <summary>Forty jobs with mixed outcomes, ties on start_date included, so the view has to order as the fake does.</summary>
    private static IEnumerable<FakeJobRow> Generated()
    {
        var start = FleetScenario.Now.AddDays(-10);
        for (var i = 0; i < 400; i++)
        {
            var status = (i * 7 % 11) switch { 0 => "in_progress", < 4 => "error", _ => "success" };
            var started = start.AddMinutes(i * 37 % 500);
            yield return new FakeJobRow
            {
                Name = $"job_{i % 40:00}",
                Status = status,
                StartDate = started,
                EndDate = status == "in_progress" ? null : started.AddMinutes(i % 13),
                Message = status == "error" ? $"failure \"{i}\"\n\\ done" : null,
                RecordsProcessed = status == "success" ? i : null,

                // Cursors on some runs of every status, so the view must pick the latest success that stored one.
                Cursor = i % 3 == 0 ? null : $"pos-{i} & \"{i % 7}\"",
                Source = "crm",
                Destination = "warehouse",
            };
        }
    }
}
