namespace JobUtil.Cli;

/// <summary>The exit codes of <c>jobutil</c> itself; <c>run</c> otherwise exits with its command's code.</summary>
internal static class ExitCodes
{
    public const int Success = 0;

    /// <summary>The Jobs API answered with an error or could not be reached.</summary>
    public const int ApiFailure = 1;

    /// <summary>The command line or the settings were wrong; nothing was sent.</summary>
    public const int BadArguments = 2;

    /// <summary><c>check</c>: a job checked is not healthy.</summary>
    public const int Unhealthy = 3;

    /// <summary>The command given to <c>run</c> could not be started (as a shell reports it).</summary>
    public const int CommandNotFound = 127;
}
