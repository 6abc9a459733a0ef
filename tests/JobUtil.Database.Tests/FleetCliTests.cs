using System.Collections;
using JobUtil.Cli;
using JobUtil.Tests.Shared;
using Npgsql;

namespace JobUtil.Database.Tests;

/// <summary>
/// <c>jobutil check</c> and <c>status</c> against db/schema.sql on PostgreSQL (through <see cref="SqlPostgrest"/>): every
/// exit code. The command reads the system clock, so the runs are placed relative to it, hours from every threshold.
/// </summary>
public class FleetCliTests
{
    private const string Database = "fleet_cli";

    private static readonly string[] Thresholds = ["--max-age", "26h", "--max-age-for", "weekly=7d", "--max-runtime", "2h", "--stale-after", "10m"];

    private NpgsqlConnection _connection = null!;
    private SqlPostgrest _server = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        await ClusterSetUp.CreateSchemaDatabaseAsync(Database);
        _connection = await ClusterSetUp.Cluster.OpenAsync(Database);
        _server = SqlPostgrest.Start(Database);
        var now = DateTimeOffset.UtcNow;
        await FleetRuns.InsertAsync(_connection, FleetScenario.RowsAt(now));
        await FleetRuns.SetHeartbeatAsync(_connection, FleetScenario.StaleName, FleetScenario.StaleHeartbeatAt(now));
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }
    }

    [Test]
    public async Task Check_exits_3_and_names_every_unhealthy_job()
    {
        var (exitCode, stdout, stderr) = await RunAsync(_server.Url, ["check", .. Thresholds]);

        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.EqualTo(3), stderr);
            Assert.That(stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l[..l.IndexOf(": ", StringComparison.Ordinal)]),
                Is.EqualTo(new[] { "failing", "late", "never_succeeded", "running_long", "stale" }));
            Assert.That(stdout, Does.Contain("stale: stale: in progress with no heartbeat for 20m"));
        });
    }

    [Test]
    public async Task Check_exits_0_when_the_jobs_named_are_healthy()
    {
        var (exitCode, stdout, stderr) = await RunAsync(_server.Url, ["check", "--name", "healthy", "--name", "weekly", .. Thresholds]);
        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.Zero, stderr);
            Assert.That(stdout, Is.Empty);
        });
    }

    [Test]
    public async Task Check_exits_3_for_a_job_named_that_never_ran()
    {
        var (exitCode, stdout, _) = await RunAsync(_server.Url, "check", "--name", FleetScenario.NeverRanName, "--max-age", "1d");
        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.EqualTo(3));
            Assert.That(stdout, Does.StartWith($"{FleetScenario.NeverRanName}: never_ran:"));
        });
    }

    [Test]
    public async Task Check_exits_1_when_the_Jobs_API_has_no_such_table()
    {
        var (exitCode, _, stderr) = await RunAsync(_server.BaseUrl + "/elsewhere/jobs", "check", "--max-age", "1d");
        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.EqualTo(1));
            Assert.That(stderr, Does.Contain("404").And.Contain("PGRST205"));
        });
    }

    [Test]
    public async Task Check_exits_2_on_a_bad_duration()
    {
        var (exitCode, _, stderr) = await RunAsync(_server.Url, "check", "--max-age", "a day");
        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.EqualTo(2));
            Assert.That(stderr, Does.Contain(JobDuration.AcceptedForms));
        });
    }

    [Test]
    public async Task Status_shows_the_stale_heartbeat()
    {
        var (exitCode, stdout, stderr) = await RunAsync(_server.Url, ["status", .. Thresholds]);
        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.Zero, stderr);
            Assert.That(stdout.Split('\n').Single(l => l.StartsWith("stale ", StringComparison.Ordinal)), Does.EndWith("stale"));
        });
    }

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string url, params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var environment = new Hashtable { ["JOBUTIL_URL"] = url, ["JOBUTIL_RETRIES"] = "0" };
        var exitCode = await Program.RunAsync(args, stdout, stderr, environment);
        return (exitCode, stdout.ToString(), stderr.ToString());
    }
}
