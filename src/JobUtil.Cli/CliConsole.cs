using System.Collections;

namespace JobUtil.Cli;

/// <summary>Where <c>jobutil</c> writes, and the environment it reads its settings from.</summary>
/// <param name="out">Standard output.</param>
/// <param name="error">Standard error.</param>
/// <param name="environment">The environment variables.</param>
/// <param name="isProcessConsole">
/// Whether the writers are this process's own console: then a command started by <c>run</c> inherits stdout and its
/// stderr is copied byte for byte; otherwise both are decoded and written to the writers.
/// </param>
internal sealed class CliConsole(TextWriter @out, TextWriter error, IDictionary environment, bool isProcessConsole)
{
    public TextWriter Out { get; } = @out;

    public TextWriter Error { get; } = error;

    /// <summary>Standard input, read only for <c>--token-file -</c>.</summary>
    public TextReader In { get; init; } = TextReader.Null;

    public bool IsProcessConsole { get; } = isProcessConsole;

    public string? GetEnvironmentVariable(string name)
        => environment[name] is string value && value.Length > 0 ? value : null;
}
