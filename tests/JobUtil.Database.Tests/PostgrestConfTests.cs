using System.Text.RegularExpressions;

namespace JobUtil.Database.Tests;

/// <summary>db/postgrest.conf names what db/schema.sql creates: the schema, the anonymous role and the login role.</summary>
public partial class PostgrestConfTests
{
    private const string Database = "postgrest_conf";

    private static readonly Lazy<Dictionary<string, string>> Settings = new(() =>
        File.ReadLines(Path.Combine(Path.GetDirectoryName(SchemaFile.Path)!, "postgrest.conf"))
            .Select(line => Setting().Match(line))
            .Where(m => m.Success)
            .ToDictionary(m => m.Groups["key"].Value, m => m.Groups["value"].Value));

    [OneTimeSetUp]
    public Task CreateDatabaseAsync() => ClusterSetUp.CreateSchemaDatabaseAsync(Database);

    [Test]
    public void It_exposes_the_api_schema()
    {
        Assert.That(Settings.Value["db-schemas"], Is.EqualTo("api"));
    }

    [Test]
    public async Task Its_anonymous_role_exists_and_cannot_log_in()
    {
        await using var connection = await ClusterSetUp.Cluster.OpenAsync(Database);
        var role = Settings.Value["db-anon-role"];

        Assert.That(await DatabaseErrors.ScalarAsync<bool>(connection, $"SELECT coalesce((SELECT NOT rolcanlogin FROM pg_roles WHERE rolname = '{role}'), false)"), Is.True, role);
    }

    [Test]
    public async Task It_logs_in_as_the_authenticator_of_the_schema()
    {
        var user = new Uri(Settings.Value["db-uri"]).UserInfo.Split(':')[0];

        await using var connection = await ClusterSetUp.Cluster.OpenAsync(Database, user);
        Assert.That(await DatabaseErrors.ScalarAsync<string>(connection, "SELECT current_user"), Is.EqualTo("authenticator"));
    }

    [Test]
    public void Its_secret_is_a_placeholder_long_enough_for_HS256()
    {
        Assert.That(Settings.Value["jwt-secret"], Does.StartWith("CHANGE_ME").And.Length.GreaterThanOrEqualTo(32));
    }

    [GeneratedRegex("""^\s*(?<key>[a-z-]+)\s*=\s*"(?<value>[^"]*)"\s*$""")]
    private static partial Regex Setting();
}
