using System.Runtime.InteropServices;

namespace JobUtil.Cli;

/// <summary>Whether this process's group is the foreground group of its controlling terminal: then a Ctrl+C reaches the whole group.</summary>
internal static partial class ForegroundTerminal
{
    public static bool IsOurs()
    {
        if (OperatingSystem.IsWindows())
        {
            return false;
        }

        try
        {
            // /dev/tty is the controlling terminal whatever stdin is redirected to; opening it fails when there is none (cron, daemons).
            using var tty = File.OpenHandle("/dev/tty", FileMode.Open, FileAccess.Read);
            var foreground = TcGetPgrp((int)tty.DangerousGetHandle());
            return foreground > 0 && foreground == GetPgrp();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    [LibraryImport("libc", EntryPoint = "tcgetpgrp", SetLastError = true)]
    private static partial int TcGetPgrp(int fd);

    [LibraryImport("libc", EntryPoint = "getpgrp")]
    private static partial int GetPgrp();
}
