using System.Diagnostics;

namespace JobUtil.Database.Tests;

/// <summary>Runs a program to completion, capturing what it prints.</summary>
internal static class ProcessRunner
{
    public sealed record Result(int ExitCode, string Output, string Error)
    {
        public string Describe(string what) => $"{what} exited with {ExitCode}.\n{Output}\n{Error}".TrimEnd();
    }

    public static async Task<Result> RunAsync(string program, IEnumerable<string> arguments, TimeSpan timeout, IDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {program}.");
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', start.ArgumentList)} did not finish within {timeout.TotalSeconds} s.");
        }

        return new Result(process.ExitCode, await output, await error);
    }

    /// <summary>As <see cref="RunAsync"/>, throwing with everything the program printed when it fails.</summary>
    public static async Task<Result> RunCheckedAsync(string program, IReadOnlyList<string> arguments, TimeSpan timeout)
    {
        var result = await RunAsync(program, arguments, timeout);
        return result.ExitCode == 0
            ? result
            : throw new InvalidOperationException(result.Describe($"{program} {string.Join(' ', arguments)}"));
    }
}
