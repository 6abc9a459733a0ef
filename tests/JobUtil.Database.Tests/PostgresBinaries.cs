using System.Diagnostics;

namespace JobUtil.Database.Tests;

/// <summary>Where the PostgreSQL server programs are: <c>pg_config --bindir</c>, else the PATH, else the Debian layout.</summary>
internal sealed record PostgresBinaries(string Directory)
{
    private static readonly string[] Required = ["initdb", "pg_ctl", "postgres", "psql"];

    public string InitDb => Path.Combine(Directory, "initdb");

    public string PgCtl => Path.Combine(Directory, "pg_ctl");

    public string Psql => Path.Combine(Directory, "psql");

    /// <summary>The binaries, or <see langword="null"/> with the reason they could not be used.</summary>
    public static PostgresBinaries? Find(out string reason)
    {
        var candidates = new List<string>();
        if (PgConfigBinDir() is { } fromPgConfig)
        {
            candidates.Add(fromPgConfig);
        }

        candidates.AddRange((Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries));
        if (System.IO.Directory.Exists("/usr/lib/postgresql"))
        {
            candidates.AddRange(System.IO.Directory.GetDirectories("/usr/lib/postgresql").OrderDescending().Select(d => Path.Combine(d, "bin")));
        }

        return FindIn(candidates, out reason);
    }

    /// <summary>The first of <paramref name="directories"/> that holds every program needed, or <see langword="null"/> with the reason.</summary>
    public static PostgresBinaries? FindIn(IEnumerable<string> directories, out string reason)
    {
        foreach (var directory in directories)
        {
            if (Required.All(program => File.Exists(Path.Combine(directory, program))))
            {
                reason = string.Empty;
                return new PostgresBinaries(directory);
            }
        }

        reason = $"the PostgreSQL server programs ({string.Join(", ", Required)}) were not found by `pg_config --bindir`, "
            + "on the PATH, or under /usr/lib/postgresql/*/bin; install the server (apt-get install postgresql-15) to run these tests";
        return null;
    }

    private static string? PgConfigBinDir()
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo("pg_config", "--bindir")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            });
            if (process is null)
            {
                return null;
            }

            var output = process.StandardOutput.ReadToEnd().Trim();
            process.WaitForExit();
            return process.ExitCode == 0 && output.Length > 0 ? output : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}
