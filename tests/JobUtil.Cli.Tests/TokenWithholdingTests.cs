namespace JobUtil.Cli.Tests;

/// <summary>Which variables the command started by run loses so that it never sees the token.</summary>
public class TokenWithholdingTests
{
    [Test]
    public void A_token_from_the_token_option_is_withheld_under_any_name_and_JOBUTIL_TOKEN_is_always_withheld()
    {
        var environment = new Dictionary<string, string?>
        {
            ["JOBUTIL_TOKEN"] = "stale.token.value",
            ["PGRST_JWT"] = "option.token.value",
            ["PATH"] = "/usr/bin",
        };

        ChildCommand.WithholdToken(environment, "option.token.value");

        Assert.That(environment.Keys, Is.EquivalentTo(new[] { "PATH" }));
    }

    [Test]
    public void The_token_file_variable_is_withheld_too()
    {
        var environment = new Dictionary<string, string?> { ["JOBUTIL_TOKEN_FILE"] = "/run/secrets/jwt", ["PATH"] = "/usr/bin" };

        ChildCommand.WithholdToken(environment, "file.token.value");

        Assert.That(environment.Keys, Is.EquivalentTo(new[] { "PATH" }));
    }

    [Test]
    public void Without_a_token_only_JOBUTIL_TOKEN_is_withheld()
    {
        var environment = new Dictionary<string, string?> { ["JOBUTIL_TOKEN"] = string.Empty, ["EMPTY"] = string.Empty };

        ChildCommand.WithholdToken(environment, null);

        Assert.That(environment.Keys, Is.EquivalentTo(new[] { "EMPTY" }));
    }
}
