using System.Diagnostics;

namespace JobUtil.Cli.Tests;

/// <summary>jobutil started as a real process (dotnet JobUtil.Cli.dll), for what only a process has: signals and its own stdout.</summary>
internal sealed class JobUtilProcess : IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);
    private readonly Process _process;
    private readonly Task<string> _stdout;
    private readonly List<string> _stderr = [];
    private readonly TaskCompletionSource _stderrDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly object _gate = new();
    private (string Text, TaskCompletionSource Seen)? _awaited;

    private JobUtilProcess(string url, IReadOnlyDictionary<string, string> environment, string[] args)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "jobutil", "JobUtil.Cli.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["JOBUTIL_URL"] = url;
        start.Environment["JOBUTIL_RETRIES"] = "0";
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        _process = Process.Start(start)!;
        _stdout = _process.StandardOutput.ReadToEndAsync();
        _ = ReadStderrAsync();
    }

    public int Id => _process.Id;

    public string Stderr
    {
        get
        {
            lock (_gate)
            {
                return string.Join("\n", _stderr);
            }
        }
    }

    public static JobUtilProcess Start(string url, params string[] args) => new(url, new Dictionary<string, string>(), args);

    /// <summary>Starts jobutil with <paramref name="environment"/> added to its environment.</summary>
    public static JobUtilProcess Start(string url, IReadOnlyDictionary<string, string> environment, params string[] args) => new(url, environment, args);

    /// <summary>Waits until jobutil (or its command) has written <paramref name="text"/> as a line on stderr.</summary>
    public Task WaitForStderrLineAsync(string text)
    {
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (_stderr.Contains(text))
            {
                return Task.CompletedTask;
            }

            _awaited = (text, seen);
        }

        return Task.WhenAny(seen.Task, _stderrDone.Task).Unwrap().WaitAsync(Limit);
    }

    public void Signal(string signal)
    {
        using var kill = Process.Start("kill", ["-" + signal, _process.Id.ToString()]);
        kill.WaitForExit();
        Assert.That(kill.ExitCode, Is.EqualTo(0), $"kill -{signal} failed");
    }

    /// <summary>Waits for the jobutil process alone to exit (a command it left behind may still hold its output open).</summary>
    public Task WaitForProcessExitAsync() => _process.WaitForExitAsync().WaitAsync(Limit);

    /// <summary>Waits for jobutil to exit; its exit code and stdout.</summary>
    public async Task<(int ExitCode, string Stdout)> WaitForExitAsync()
    {
        await _process.WaitForExitAsync().WaitAsync(Limit);
        var stdout = await _stdout.WaitAsync(Limit);
        await _stderrDone.Task.WaitAsync(Limit);
        return (_process.ExitCode, stdout);
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }

    private async Task ReadStderrAsync()
    {
        while (await _process.StandardError.ReadLineAsync() is { } line)
        {
            lock (_gate)
            {
                _stderr.Add(line);
                if (_awaited is { } awaited && line == awaited.Text)
                {
                    awaited.Seen.TrySetResult();
                    _awaited = null;
                }
            }
        }

        _stderrDone.TrySetResult();
    }
}
