using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Npgsql;

namespace JobUtil.Database.Benchmarks;

/// <summary>
/// The query PostgREST runs for <c>GET /jobs_fleet</c> (the view wrapped in <c>json_agg</c>), on the database
/// <see cref="Program"/> loaded, over one open connection: what a fleet read costs the server.
/// </summary>
[Config(typeof(InProcessConfig))]
public class FleetQueryBenchmarks
{
    public const string FleetSql = "SELECT coalesce(json_agg(_postgrest_t), '[]')::text FROM (SELECT * FROM api.jobs_fleet) _postgrest_t";

    /// <summary>Set by <see cref="Program"/> before the run: the loaded database.</summary>
    public static string ConnectionString { get; set; } = string.Empty;

    private NpgsqlConnection _connection = null!;
    private NpgsqlCommand _command = null!;

    [GlobalSetup]
    public void Open()
    {
        _connection = new NpgsqlConnection(ConnectionString);
        _connection.Open();
        _command = new NpgsqlCommand(FleetSql, _connection);
    }

    [GlobalCleanup]
    public void Close()
    {
        _command.Dispose();
        _connection.Dispose();
    }

    [Benchmark(Description = "GET /jobs_fleet: 1,000 jobs, 1,000,000 runs")]
    public int FleetQuery() => ((string)_command.ExecuteScalar()!).Length;

    /// <summary>In process (the cluster lives in this process), few iterations: each one is a real query.</summary>
    private sealed class InProcessConfig : ManualConfig
    {
        public InProcessConfig()
        {
            AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance).WithWarmupCount(3).WithIterationCount(15));
        }
    }
}
