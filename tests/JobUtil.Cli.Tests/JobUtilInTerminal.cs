using System.Diagnostics;
using System.Text;

namespace JobUtil.Cli.Tests;

/// <summary>
/// jobutil started in a pseudo-terminal (through util-linux <c>script</c>), as a user at a shell prompt runs it: it is
/// in the terminal's foreground process group, so a Ctrl+C typed there signals it and its command alike.
/// </summary>
internal sealed class JobUtilInTerminal : IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource _outputDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly object _gate = new();
    private (string Text, TaskCompletionSource Seen)? _awaited;

    private JobUtilInTerminal(string url, string[] args)
    {
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
        var commandLine = string.Join(' ', new[] { dotnet, Path.Combine(AppContext.BaseDirectory, "jobutil", "JobUtil.Cli.dll") }.Concat(args).Select(Quote));
        var start = new ProcessStartInfo("script")
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };

        // -q: no banner; -f: flush at once; -e: script exits with jobutil's code; /dev/null: no typescript file.
        foreach (var arg in new[] { "-qfec", "exec " + commandLine, "/dev/null" })
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["SHELL"] = "/bin/sh";
        start.Environment["JOBUTIL_URL"] = url;
        start.Environment["JOBUTIL_RETRIES"] = "0";
        _process = Process.Start(start)!;
        _ = ReadAsync(_process.StandardOutput);
        _ = _process.StandardError.ReadToEndAsync();
    }

    /// <summary>Everything the terminal showed (jobutil's and its command's stdout and stderr, and the echo of what was typed).</summary>
    public string Output
    {
        get
        {
            lock (_gate)
            {
                return _output.ToString();
            }
        }
    }

    public static bool IsAvailable => File.Exists("/usr/bin/script") || File.Exists("/bin/script");

    public static JobUtilInTerminal Start(string url, params string[] args) => new(url, args);

    /// <summary>Waits until the terminal has shown <paramref name="text"/>.</summary>
    public Task WaitForAsync(string text)
    {
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (_output.ToString().Contains(text, StringComparison.Ordinal))
            {
                return Task.CompletedTask;
            }

            _awaited = (text, seen);
        }

        return Task.WhenAny(seen.Task, _outputDone.Task).Unwrap().WaitAsync(Limit);
    }

    /// <summary>Types Ctrl+C: the terminal sends SIGINT to its foreground process group.</summary>
    public async Task PressCtrlCAsync()
    {
        await _process.StandardInput.WriteAsync('\u0003');
        await _process.StandardInput.FlushAsync();
    }

    public async Task<int> WaitForExitAsync()
    {
        await _process.WaitForExitAsync().WaitAsync(Limit);
        await _outputDone.Task.WaitAsync(Limit);
        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }

    private static string Quote(string arg) => "'" + arg.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private async Task ReadAsync(StreamReader from)
    {
        var buffer = new char[4096];
        int count;
        while ((count = await from.ReadAsync(buffer)) > 0)
        {
            lock (_gate)
            {
                _output.Append(buffer, 0, count);
                if (_awaited is { } awaited && _output.ToString().Contains(awaited.Text, StringComparison.Ordinal))
                {
                    awaited.Seen.TrySetResult();
                    _awaited = null;
                }
            }
        }

        _outputDone.TrySetResult();
    }
}
