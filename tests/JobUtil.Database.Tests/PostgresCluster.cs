using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace JobUtil.Database.Tests;

/// <summary>
/// A throwaway PostgreSQL cluster: initdb into a temporary folder, listening on a free loopback port with its
/// socket in that folder, trusted connections only. Disposing stops it and deletes the folder.
/// </summary>
/// <remarks>initdb and postgres refuse to run as root, so a root process runs them as the <c>postgres</c> user.</remarks>
internal sealed class PostgresCluster : IAsyncDisposable
{
    private const string Superuser = "postgres";
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(2);

    private readonly PostgresBinaries _binaries;
    private bool _running;

    private PostgresCluster(PostgresBinaries binaries, string folder, int port)
    {
        _binaries = binaries;
        Folder = folder;
        Port = port;
    }

    /// <summary>The temporary folder holding the data directory, the socket and the server log.</summary>
    public string Folder { get; }

    public int Port { get; }

    public string DataDirectory => Path.Combine(Folder, "data");

    public string SocketDirectory => Path.Combine(Folder, "socket");

    public string LogFile => Path.Combine(Folder, "server.log");

    public PostgresBinaries Binaries => _binaries;

    public static async Task<PostgresCluster> StartAsync(PostgresBinaries binaries)
    {
        var folder = Directory.CreateTempSubdirectory("jobutil-pg-").FullName;
        var cluster = new PostgresCluster(binaries, folder, FreePort());
        try
        {
            await cluster.InitAndStartAsync();
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>A connection string to <paramref name="database"/> as <paramref name="user"/> (trusted, no password).</summary>
    public string ConnectionString(string database, string user = Superuser) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = user,
        Database = database,
        Pooling = false,
        Timeout = 30,
        CommandTimeout = 120,
        // Error details (the failing row, what a refused update would change) are what several tests check.
        IncludeErrorDetail = true,
    }.ConnectionString;

    public async Task<NpgsqlConnection> OpenAsync(string database, string user = Superuser)
    {
        var connection = new NpgsqlConnection(ConnectionString(database, user));
        await connection.OpenAsync();
        return connection;
    }

    /// <summary>Creates an empty database (dropping one of the same name first).</summary>
    public async Task CreateDatabaseAsync(string name)
    {
        await using var connection = await OpenAsync("postgres");
        var quoted = "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
        await using (var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {quoted}", connection))
        {
            await drop.ExecuteNonQueryAsync();
        }

        await using var create = new NpgsqlCommand($"CREATE DATABASE {quoted}", connection);
        await create.ExecuteNonQueryAsync();
    }

    /// <summary>Stops the server at once (nothing in it is worth a clean shutdown) and deletes the folder.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_running)
            {
                _running = false;
                await RunServerProgramAsync(_binaries.PgCtl, ["stop", "-D", DataDirectory, "-m", "immediate", "-w"], check: false);
            }
        }
        finally
        {
            if (Directory.Exists(Folder))
            {
                Directory.Delete(Folder, recursive: true);
            }
        }
    }

    private async Task InitAndStartAsync()
    {
        Directory.CreateDirectory(SocketDirectory);
        if (Environment.IsPrivilegedProcess)
        {
            await ProcessRunner.RunCheckedAsync("chown", ["-R", $"{Superuser}:", Folder], CommandTimeout);
        }

        await RunServerProgramAsync(_binaries.InitDb, ["-D", DataDirectory, "-U", Superuser, "--auth=trust", "--encoding=UTF8", "--no-locale", "--no-sync"], check: true);

        // Durability is worthless for a cluster deleted after the run; turning it off keeps the suite fast.
        var options = string.Join(' ', [
            $"-p {Port}",
            "-c listen_addresses=127.0.0.1",
            $"-c unix_socket_directories='{SocketDirectory}'",
            "-c fsync=off",
            "-c synchronous_commit=off",
            "-c full_page_writes=off",
            "-c max_connections=20",
        ]);
        _running = true;
        await RunServerProgramAsync(_binaries.PgCtl, ["start", "-D", DataDirectory, "-l", LogFile, "-w", "-t", "60", "-o", options], check: true);
    }

    private async Task RunServerProgramAsync(string program, IReadOnlyList<string> arguments, bool check)
    {
        var (file, args) = Environment.IsPrivilegedProcess
            ? ("runuser", (IReadOnlyList<string>)["-u", Superuser, "--", program, .. arguments])
            : (program, arguments);
        var result = await ProcessRunner.RunAsync(file, args, CommandTimeout);
        if (check && result.ExitCode != 0)
        {
            var log = File.Exists(LogFile) ? await File.ReadAllTextAsync(LogFile) : "(no server log)";
            throw new InvalidOperationException(result.Describe($"{program} {string.Join(' ', arguments)}") + "\nServer log:\n" + log);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
