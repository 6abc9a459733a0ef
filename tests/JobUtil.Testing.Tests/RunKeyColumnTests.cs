namespace JobUtil.Testing.Tests;

/// <summary>The run_key column of db/schema.sql: a uuid, unique among the rows that have one, refused where the table has none.</summary>
public class RunKeyColumnTests : FakeApiFixture
{
    private const string Key = "0192f0c1-7a2b-7c3d-8e4f-5a6b7c8d9e0f";

    private static string Body(string key)
        => $"{{\"name\":\"n\",\"start_date\":\"2024-01-01T00:00:00Z\",\"status\":\"in_progress\",\"source\":\"s\",\"destination\":\"d\",\"run_key\":{key}}}";

    [Test]
    public async Task A_key_is_stored_and_rendered_in_its_standard_form()
    {
        var (status, body, _) = await PostAsync(Body($"\"{Key.ToUpperInvariant()}\""), query: "?select=id,run_key");

        Assert.Multiple(() =>
        {
            Assert.That(status, Is.EqualTo(201));
            Assert.That(body, Is.EqualTo($"[{{\"id\":1,\"run_key\":\"{Key}\"}}]"));
            Assert.That(Api.Rows.Single().RunKey, Is.EqualTo(Guid.Parse(Key)));
        });
    }

    [Test]
    public async Task A_second_row_with_the_same_key_is_409_23505_and_nothing_is_written()
    {
        await PostAsync(Body($"\"{Key}\""));

        var (status, body, _) = await PostAsync(Body($"\"{Key}\""));

        Assert.Multiple(() =>
        {
            Assert.That(status, Is.EqualTo(409));
            Assert.That(body, Is.EqualTo($"{{\"code\":\"23505\",\"details\":\"Key (run_key)=({Key}) already exists.\",\"hint\":null,\"message\":\"duplicate key value violates unique constraint \\\"jobs_run_key_idx\\\"\"}}"));
            Assert.That(Api.Rows, Has.Count.EqualTo(1));
        });
    }

    [Test]
    public async Task Rows_without_a_key_are_not_duplicates_of_each_other()
    {
        await PostAsync(Body("null"));
        var (status, _, _) = await PostAsync(Body("null"));

        Assert.That(status, Is.EqualTo(201));
        Assert.That(Api.Rows.Select(r => r.RunKey), Is.EqualTo(new Guid?[] { null, null }));
    }

    [Test]
    public async Task A_filter_on_the_key_finds_its_row()
    {
        await PostAsync(Body("null"));
        await PostAsync(Body($"\"{Key}\""));

        var (_, body, _) = await GetAsync($"?select=id&run_key=eq.{Key}");

        Assert.That(body, Is.EqualTo("[{\"id\":2}]"));
    }

    [TestCase("\"not-a-uuid\"", "not-a-uuid")]
    [TestCase("12", "12")]
    public async Task A_value_that_is_not_a_uuid_is_400_22P02(string value, string shown)
    {
        var (status, body, _) = await PostAsync(Body(value));

        Assert.That(status, Is.EqualTo(400));
        Assert.That(body, Does.Contain("\"code\":\"22P02\"").And.Contain($"invalid input syntax for type uuid: \\\"{shown}\\\""));
    }

    [Test]
    public void A_seeded_row_with_a_key_already_present_is_refused()
    {
        Api.Seed(Row("a", "2024-01-01T00:00:00Z") with { RunKey = Guid.Parse(Key) });

        Assert.That(() => Api.Seed(Row("b", "2024-01-01T00:00:00Z") with { RunKey = Guid.Parse(Key) }), Throws.ArgumentException.With.Message.Contains("23505"));
    }
}

/// <summary>A table without run_key: a body or filter naming it is refused as PostgREST refuses an unknown column.</summary>
public class TableWithoutRunKeyTests : FakeApiFixture
{
    protected override FakeJobsApiOptions Options => new() { RunKeyColumn = false };

    [Test]
    public async Task A_body_naming_run_key_is_400_PGRST204_and_nothing_is_written()
    {
        var (status, body, _) = await PostAsync("{\"name\":\"n\",\"start_date\":\"2024-01-01T00:00:00Z\",\"status\":\"in_progress\",\"source\":\"s\",\"destination\":\"d\",\"run_key\":\"0192f0c1-7a2b-7c3d-8e4f-5a6b7c8d9e0f\"}");

        Assert.That(status, Is.EqualTo(400));
        Assert.That(body, Is.EqualTo("{\"code\":\"PGRST204\",\"details\":null,\"hint\":null,\"message\":\"Could not find the 'run_key' column of 'jobs' in the schema cache\"}"));
        Assert.That(Api.Rows, Is.Empty);
    }

    [Test]
    public async Task A_filter_on_run_key_is_400_42703()
    {
        var (status, body, _) = await GetAsync("?run_key=eq.0192f0c1-7a2b-7c3d-8e4f-5a6b7c8d9e0f");

        Assert.That(status, Is.EqualTo(400));
        Assert.That(body, Does.Contain("\"code\":\"42703\"").And.Contain("run_key"));
    }
}
