namespace JobUtil.Cli;

/// <summary>A setting is missing or invalid (exit code 2), found after parsing (a URL from the environment, say).</summary>
internal sealed class UsageException(string message) : Exception(message)
{
}
