namespace JobUtil.Testing.Tests;

/// <summary>The table's constraints and types, with PostgREST's codes, statuses and bodies.</summary>
public class ConstraintTests : FakeApiFixture
{
    private static string Body(string name = "\"n\"", string start = "\"2024-01-01T00:00:00Z\"", string status = "\"in_progress\"", string source = "\"s\"", string extra = "")
        => $"{{\"name\":{name},\"start_date\":{start},\"status\":{status},\"source\":{source},\"destination\":\"d\"{extra}}}";

    [Test]
    public async Task A_null_in_a_not_null_column_is_400_23502_with_the_failing_row()
    {
        Api.Seed(Enumerable.Range(0, 6).Select(_ => Row("a", "2024-01-01T00:00:00Z")).ToArray());

        var (status, body, _) = await PostAsync("{\"name\":\"x\",\"start_date\":\"2018-06-17T17:18:53Z\",\"end_date\":null,\"status\":\"in_progress\",\"source\":null,\"destination\":\"d\"}");

        Assert.That(status, Is.EqualTo(400));
        Assert.That(body, Is.EqualTo("{\"code\":\"23502\",\"details\":\"Failing row contains (7, x, 2018-06-17 17:18:53+00, null, null, in_progress, null, null, d, null, null, null, null).\",\"hint\":null,\"message\":\"null value in column \\\"source\\\" of relation \\\"jobs\\\" violates not-null constraint\"}"));
        Assert.That(Api.Rows, Has.Count.EqualTo(6));
    }

    [Test]
    public async Task A_NUL_in_a_text_value_is_400_22P05_and_nothing_is_written()
    {
        var (status, body, _) = await PostAsync(Body(extra: ",\"message\":\"a\\u0000b\""));

        Assert.That(status, Is.EqualTo(400));
        Assert.That(body, Does.Contain("\"code\":\"22P05\"").And.Contain("unsupported Unicode escape sequence"));
        Assert.That(Api.Rows, Is.Empty);
    }

    [Test]
    public async Task A_missing_not_null_column_is_23502_too()
    {
        var (status, body, _) = await PostAsync("{\"name\":\"x\",\"status\":\"in_progress\",\"source\":\"s\",\"destination\":\"d\"}");

        Assert.That(status, Is.EqualTo(400));
        Assert.That(body, Does.Contain("\"code\":\"23502\"").And.Contain("column \\\"start_date\\\""));
    }

    [Test]
    public async Task A_failed_insert_uses_up_an_id_as_a_sequence_does()
    {
        await PostAsync(Body(source: "null"));

        var (_, body, _) = await PostAsync(Body(), query: "?select=id");

        Assert.That(body, Is.EqualTo("[{\"id\":2}]"));
    }

    [Test]
    public async Task A_status_outside_the_check_is_400_23514()
    {
        var (status, body, _) = await PostAsync(Body(status: "\"done\""));

        Assert.That(status, Is.EqualTo(400));
        Assert.That(body, Is.EqualTo("{\"code\":\"23514\",\"details\":\"Failing row contains (1, n, 2024-01-01 00:00:00+00, null, null, done, null, s, d, null, null, null, null).\",\"hint\":null,\"message\":\"new row for relation \\\"jobs\\\" violates check constraint \\\"jobs_status_check\\\"\"}"));
    }

    [Test]
    public async Task An_end_before_the_start_is_400_23514_jobs_end_after_start_check()
    {
        var (status, body, _) = await PostAsync(Body(extra: ",\"end_date\":\"2023-12-31T23:59:59Z\""));

        Assert.That(status, Is.EqualTo(400));
        Assert.That(body, Does.Contain("\"code\":\"23514\"").And.Contain("jobs_end_after_start_check"));
    }

    [Test]
    public async Task A_negative_record_count_is_400_23514_jobs_records_processed_check()
    {
        var (status, body, _) = await PostAsync(Body(extra: ",\"records_processed\":-1"));

        Assert.That(status, Is.EqualTo(400));
        Assert.That(body, Does.Contain("\"code\":\"23514\"").And.Contain("jobs_records_processed_check"));
    }

    [Test]
    public async Task A_patch_to_a_bad_status_is_23514_and_changes_nothing()
    {
        Api.Seed(Row("a", "2024-01-01T00:00:00Z", status: "in_progress"));

        var (status, _, _) = await PatchAsync("?id=eq.1", "{\"status\":\"finished\"}");

        Assert.That(status, Is.EqualTo(400));
        Assert.That(Api.Rows.Single().Status, Is.EqualTo("in_progress"));
    }

    [TestCase("\"yesterday-ish\"", "yesterday-ish")]
    [TestCase("12", "12")]
    public async Task A_bad_timestamp_is_400_22007(string json, string shown)
    {
        var (status, body, _) = await PostAsync(Body(start: json));

        Assert.That(status, Is.EqualTo(400));
        Assert.That(body, Is.EqualTo($"{{\"code\":\"22007\",\"details\":null,\"hint\":null,\"message\":\"invalid input syntax for type timestamp with time zone: \\\"{shown}\\\"\"}}"));
    }

    [Test]
    public async Task A_well_formed_timestamp_with_an_impossible_field_is_400_22008()
    {
        var (status, body, _) = await PostAsync(Body(start: "\"2024-13-01T00:00:00Z\""));

        Assert.That(status, Is.EqualTo(400));
        Assert.That(body, Is.EqualTo("{\"code\":\"22008\",\"details\":null,\"hint\":null,\"message\":\"date/time field value out of range: \\\"2024-13-01T00:00:00Z\\\"\"}"));
    }

    [TestCase("\"many\"", "many")]
    [TestCase("1.5", "1.5")]
    [TestCase("true", "true")]
    public async Task A_bad_integer_is_400_22P02(string json, string shown)
    {
        var (status, body, _) = await PostAsync(Body(extra: $",\"records_processed\":{json}"));

        Assert.That(status, Is.EqualTo(400));
        Assert.That(body, Is.EqualTo($"{{\"code\":\"22P02\",\"details\":null,\"hint\":null,\"message\":\"invalid input syntax for type integer: \\\"{shown}\\\"\"}}"));
    }

    [Test]
    public async Task An_integer_given_as_a_string_is_accepted_as_json_populate_record_accepts_it()
    {
        var (status, _, _) = await PostAsync(Body(extra: ",\"records_processed\":\"12\""));

        Assert.That(status, Is.EqualTo(201));
        Assert.That(Api.Rows.Single().RecordsProcessed, Is.EqualTo(12));
    }

    [Test]
    public async Task An_integer_out_of_range_is_400_22003()
    {
        var (status, body, _) = await PostAsync(Body(extra: ",\"records_processed\":3000000000"));

        Assert.That(status, Is.EqualTo(400));
        Assert.That(body, Does.Contain("\"code\":\"22003\""));
    }

    [Test]
    public async Task An_unknown_column_is_400_PGRST204()
    {
        var (status, body, response) = await PostAsync(Body(extra: ",\"colour\":\"red\""));

        Assert.That(status, Is.EqualTo(400));
        Assert.That(body, Is.EqualTo("{\"code\":\"PGRST204\",\"details\":null,\"hint\":null,\"message\":\"Could not find the 'colour' column of 'jobs' in the schema cache\"}"));
        Assert.That(Header(response, "Proxy-Status"), Is.EqualTo("PostgREST; error=PGRST204"));
    }

    [TestCase("{\"name\":")]
    [TestCase("")]
    [TestCase("42")]
    public async Task Invalid_json_is_400_PGRST102(string json)
    {
        var (status, body, _) = await SendAsync(HttpMethod.Post, "", json, "return=representation");

        Assert.That(status, Is.EqualTo(400));
        Assert.That(body, Is.EqualTo("{\"code\":\"PGRST102\",\"details\":null,\"hint\":null,\"message\":\"Empty or invalid json\"}"));
    }

    [Test]
    public async Task A_duplicate_id_is_409_23505()
    {
        Api.Seed(Row("a", "2024-01-01T00:00:00Z"));

        var (status, body, _) = await PostAsync(Body(extra: ",\"id\":1"));

        Assert.That(status, Is.EqualTo(409));
        Assert.That(body, Is.EqualTo("{\"code\":\"23505\",\"details\":\"Key (id)=(1) already exists.\",\"hint\":null,\"message\":\"duplicate key value violates unique constraint \\\"jobs_pkey\\\"\"}"));
    }

    [Test]
    public void Seeding_a_row_that_breaks_a_constraint_throws_and_adds_nothing()
    {
        Assert.That(() => Api.Seed(Row("a", "2024-01-01T00:00:00Z"), Row("b", "2024-01-01T00:00:00Z", status: "done")), Throws.ArgumentException.With.Message.Contains("23514"));
        Assert.That(Api.Rows, Is.Empty);
    }
}

/// <summary>The optional overlap guard: one <c>in_progress</c> row per name.</summary>
public class OverlapGuardTests : FakeApiFixture
{
    protected override FakeJobsApiOptions Options => new() { OneRunInProgressPerName = true };

    [Test]
    public async Task A_second_running_row_of_a_name_is_409_23505()
    {
        Api.Seed(Row("a", "2024-01-01T00:00:00Z", status: "in_progress"));

        var (status, body, _) = await PostAsync("{\"name\":\"a\",\"start_date\":\"2024-01-02T00:00:00Z\",\"status\":\"in_progress\",\"source\":\"s\",\"destination\":\"d\"}");

        Assert.That(status, Is.EqualTo(409));
        Assert.That(body, Does.Contain("\"code\":\"23505\"").And.Contain("Key (name)=(a) already exists."));
    }
}
