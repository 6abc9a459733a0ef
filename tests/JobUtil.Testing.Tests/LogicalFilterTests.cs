namespace JobUtil.Testing.Tests;

/// <summary>or=(…), and=(…), not.or=(…) and nested trees, parsed as PostgREST parses them, with SQL's three-valued logic.</summary>
public class LogicalFilterTests : FakeApiFixture
{
    private static readonly DateTimeOffset Start = new(2024, 5, 1, 0, 0, 0, TimeSpan.Zero);

    [SetUp]
    public void SeedRuns() => Api.Seed(
        // 1: heartbeat long ago; 2: no heartbeat, started long ago; 3: fresh heartbeat; 4: no heartbeat, started recently; 5: ended
        Row("a", "2024-05-01T00:00:00Z", "in_progress") with { HeartbeatAt = Start.AddMinutes(10), Host = "h1" },
        Row("b", "2024-05-01T00:00:00Z", "in_progress"),
        Row("c", "2024-05-01T00:00:00Z", "in_progress") with { HeartbeatAt = Start.AddHours(2), Host = "h,2" },
        Row("d", "2024-05-01T01:50:00Z", "in_progress"),
        Row("e", "2024-05-01T00:00:00Z", "success", end: "2024-05-01T00:10:00Z"));

    private async Task<string> IdsAsync(string query)
    {
        var (status, body, _) = await GetAsync("?select=id&order=id&" + query);
        Assert.That(status, Is.EqualTo(200), body);
        return body;
    }

    [TestCase("or=(id.eq.1,id.eq.3)", "[{\"id\":1}, \n {\"id\":3}]")]
    [TestCase("and=(name.neq.a,status.eq.in_progress)", "[{\"id\":2}, \n {\"id\":3}, \n {\"id\":4}]")]
    [TestCase("not.or=(id.eq.1,id.eq.3)", "[{\"id\":2}, \n {\"id\":4}, \n {\"id\":5}]")]
    [TestCase("not.and=(id.gt.1,id.lt.5)", "[{\"id\":1}, \n {\"id\":5}]")]
    [TestCase("or=(id.eq.1,and(id.gt.3,not.or(status.eq.success,name.eq.x)))", "[{\"id\":1}, \n {\"id\":4}]")]
    [TestCase("or=( id.eq.2 , id.eq.4 )", "[{\"id\":2}, \n {\"id\":4}]")]
    [TestCase("or=(id.in.(1,2),name.eq.e)", "[{\"id\":1}, \n {\"id\":2}, \n {\"id\":5}]")]
    [TestCase("or=(id.not.in.(1,2,3),name.like.a*)", "[{\"id\":1}, \n {\"id\":4}, \n {\"id\":5}]")]
    [TestCase("or=(host.eq.\"h,2\",id.eq.2)", "[{\"id\":2}, \n {\"id\":3}]")]
    [TestCase("or=(heartbeat_at.is.null,id.eq.1)&status=eq.in_progress", "[{\"id\":1}, \n {\"id\":2}, \n {\"id\":4}]")]
    [TestCase("or=(id.eq.1)&or=(id.eq.3)", "[]")]
    public async Task A_logical_filter_selects_the_rows_PostgreSQL_would(string query, string ids)
        => Assert.That(await IdsAsync(query), Is.EqualTo(ids));

    [Test]
    public async Task The_stale_run_condition_selects_runs_whose_heartbeat_or_start_is_older_than_the_threshold()
    {
        const string threshold = "2024-05-01T01:00:00Z";

        var ids = await IdsAsync($"status=eq.in_progress&or=(heartbeat_at.lt.{threshold},and(heartbeat_at.is.null,start_date.lt.{threshold}))");

        Assert.That(ids, Is.EqualTo("[{\"id\":1}, \n {\"id\":2}]"));
    }

    [Test]
    public async Task A_comparison_with_null_is_unknown_so_not_of_it_is_unknown_too()
    {
        // heartbeat_at < X is unknown for rows without a heartbeat: neither the condition nor its negation selects them.
        var matched = await IdsAsync("or=(heartbeat_at.lt.2024-05-01T01:00:00Z)");
        var negated = await IdsAsync("not.or=(heartbeat_at.lt.2024-05-01T01:00:00Z)");

        Assert.That((matched, negated), Is.EqualTo(("[{\"id\":1}]", "[{\"id\":3}]")));
    }

    [Test]
    public async Task A_conditional_recovery_patch_ends_only_the_stale_runs()
    {
        const string threshold = "2024-05-01T01:00:00Z";

        var (status, body, _) = await PatchAsync(
            $"?select=id&status=eq.in_progress&or=(heartbeat_at.lt.{threshold},and(heartbeat_at.is.null,start_date.lt.{threshold}))",
            "{\"status\":\"error\",\"end_date\":\"2024-05-01T02:00:00Z\",\"message\":\"abandoned\"}");

        Assert.That((status, body), Is.EqualTo((200, "[{\"id\":1}, \n {\"id\":2}]")));
        Assert.That(Api.Rows.Where(r => r.Message == "abandoned").Select(r => r.Id), Is.EqualTo(new long[] { 1, 2 }));
    }

    [TestCase("or=()")]
    [TestCase("or=(id.eq.1")]
    [TestCase("or=(id.eq.1,not.xor(id.eq.2))")]
    [TestCase("or=(id.eq.1,)")]
    public async Task A_malformed_tree_is_400_PGRST100(string query)
    {
        var (status, body, _) = await GetAsync("?" + query);

        Assert.That(status, Is.EqualTo(400));
        Assert.That(body, Does.Contain("\"code\":\"PGRST100\"").And.Contain("failed to parse logic tree"));
    }

    [Test]
    public async Task An_unknown_column_in_a_tree_is_400_42703()
    {
        var (status, body, _) = await GetAsync("?or=(id.eq.1,nope.eq.2)");

        Assert.That(status, Is.EqualTo(400));
        Assert.That(body, Does.Contain("\"code\":\"42703\""));
    }
}

/// <summary>PostgREST v12 re-applies or=/and= trees to the rows a PATCH returns, so a tree the update breaks answers [].</summary>
public class ReappliedLogicalFilterTests : FakeApiFixture
{
    protected override FakeJobsApiOptions Options => new() { ReapplyLogicalFiltersAfterPatch = true };

    [Test]
    public async Task An_update_that_breaks_its_own_tree_answers_nothing_although_it_changed_the_row()
    {
        Api.Seed(Row("a", "2024-05-01T00:00:00Z", "in_progress"));

        var (status, body, _) = await PatchAsync("?id=eq.1&or=(status.eq.in_progress,status.is.null)", "{\"status\":\"error\",\"end_date\":\"2024-05-01T01:00:00Z\"}");

        Assert.That((status, body), Is.EqualTo((200, "[]")));
        Assert.That(Api.Rows.Single().Status, Is.EqualTo("error"));
    }

    [Test]
    public async Task The_same_condition_as_a_plain_filter_returns_the_row()
    {
        Api.Seed(Row("a", "2024-05-01T00:00:00Z", "in_progress"));

        var (status, body, _) = await PatchAsync("?id=eq.1&status=eq.in_progress&or=(heartbeat_at.is.null,host.eq.x)&select=id,status", "{\"status\":\"error\",\"end_date\":\"2024-05-01T01:00:00Z\"}");

        Assert.That((status, body), Is.EqualTo((200, "[{\"id\":1,\"status\":\"error\"}]")));
    }
}

/// <summary>Without the v12 behaviour (the default), the rows a PATCH changed are returned whatever their new values.</summary>
public class PatchResultTests : FakeApiFixture
{
    [Test]
    public async Task An_update_that_breaks_its_tree_returns_the_changed_row()
    {
        Api.Seed(Row("a", "2024-05-01T00:00:00Z", "in_progress"));

        var (_, body, _) = await PatchAsync("?id=eq.1&or=(status.eq.in_progress,status.is.null)&select=id", "{\"status\":\"error\",\"end_date\":\"2024-05-01T01:00:00Z\"}");

        Assert.That(body, Is.EqualTo("[{\"id\":1}]"));
    }
}
