using System.Reflection;
using System.Text.Json.Nodes;

namespace JobUtil.Cli.Tests;

/// <summary>The jobutil tool runs on newer runtimes than the one it was built for, and is strong-named like the library.</summary>
public class ToolPackagingTests
{
    [Test]
    public void The_tool_rolls_forward_to_a_newer_major_runtime()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "jobutil", "JobUtil.Cli.runtimeconfig.json");
        var options = JsonNode.Parse(File.ReadAllText(path))!["runtimeOptions"]!;

        Assert.That(options["rollForward"]?.GetValue<string>(), Is.EqualTo("Major"));
    }

    [Test]
    public void The_tool_is_strong_named_with_the_committed_key()
    {
        var token = typeof(Program).Assembly.GetName().GetPublicKeyToken();

        Assert.That(Convert.ToHexString(token!).ToLowerInvariant(), Is.EqualTo("2e01e6d08111c2cd"));
    }
}
