using System.Collections;

namespace JobUtil.Cli.Tests;

/// <summary>Runs jobutil in-process and keeps what it printed.</summary>
internal static class Cli
{
    public static async Task<CliResult> RunAsync(IDictionary environment, params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exitCode = await Program.RunAsync(args, stdout, stderr, environment);
        return new CliResult(exitCode, stdout.ToString(), stderr.ToString());
    }

    public static Task<CliResult> RunAsync(params string[] args) => RunAsync(new Hashtable(), args);

    /// <summary>An environment pointing jobutil at <paramref name="url"/>, retrying nothing so a failure is quick.</summary>
    public static Hashtable Environment(string url) => new()
    {
        ["JOBUTIL_URL"] = url,
        ["JOBUTIL_RETRIES"] = "0",
    };
}

internal sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    public string[] StdoutLines => Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
}
