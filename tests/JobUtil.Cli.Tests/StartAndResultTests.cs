using System.Text.Json;
using JobUtil.Testing;

namespace JobUtil.Cli.Tests;

public class StartAndResultTests : FakeApiFixture
{
    [Test]
    public async Task Start_inserts_an_in_progress_run_and_prints_it_as_one_JSON_line()
    {
        var result = await Cli.RunAsync(Cli.Environment(Api.Url), "start", "--name", "nightly", "--source", "crm", "--destination", "warehouse");

        Assert.That(result.ExitCode, Is.EqualTo(0), result.Stderr);
        Assert.That(result.StdoutLines, Has.Length.EqualTo(1));
        var printed = JsonDocument.Parse(result.StdoutLines[0]).RootElement;
        var row = Api.Rows.Single();
        Assert.Multiple(() =>
        {
            Assert.That(row.Status, Is.EqualTo("in_progress"));
            Assert.That((row.Name, row.Source, row.Destination), Is.EqualTo(("nightly", "crm", "warehouse")));
            Assert.That(printed.GetProperty("id").GetInt64(), Is.EqualTo(row.Id));
            Assert.That(printed.GetProperty("status").GetString(), Is.EqualTo("in_progress"));
            Assert.That(printed.GetProperty("name").GetString(), Is.EqualTo("nightly"));
            Assert.That(printed.GetProperty("end_date").ValueKind, Is.EqualTo(JsonValueKind.Null));
            Assert.That(printed.GetProperty("start_date").GetDateTimeOffset(), Is.EqualTo(row.StartDate));
        });
    }

    [Test]
    public async Task Result_records_success_with_the_count_on_the_run_with_that_id()
    {
        var started = Api.Seed(MostRecentTests.Row("nightly", "in_progress", DateTimeOffset.UtcNow.AddMinutes(-5)))[0];

        var result = await Cli.RunAsync(Cli.Environment(Api.Url), "result", "--id", started.Id.ToString(), "--status", "success", "--records", "503");

        Assert.That(result.ExitCode, Is.EqualTo(0), result.Stderr);
        var row = Api.Rows.Single();
        var printed = JsonDocument.Parse(result.StdoutLines.Single()).RootElement;
        Assert.Multiple(() =>
        {
            Assert.That(row.Status, Is.EqualTo("success"));
            Assert.That(row.RecordsProcessed, Is.EqualTo(503));
            Assert.That(row.EndDate, Is.Not.Null);
            Assert.That(printed.GetProperty("status").GetString(), Is.EqualTo("success"));
            Assert.That(printed.GetProperty("records_processed").GetInt64(), Is.EqualTo(503));
        });
    }

    [Test]
    public async Task Result_records_an_error_with_its_message_and_sends_no_count_when_none_is_given()
    {
        var started = Api.Seed(MostRecentTests.Row("nightly", "in_progress", DateTimeOffset.UtcNow.AddMinutes(-5)))[0];

        var result = await Cli.RunAsync(Cli.Environment(Api.Url), "result", "--id", started.Id.ToString(), "--status", "error", "--message", "disk full");

        Assert.That(result.ExitCode, Is.EqualTo(0), result.Stderr);
        var row = Api.Rows.Single();
        var patch = Api.Requests.Single(r => r.Method == "PATCH");
        Assert.Multiple(() =>
        {
            Assert.That(row.Status, Is.EqualTo("error"));
            Assert.That(row.Message, Is.EqualTo("disk full"));
            Assert.That(patch.Body, Does.Not.Contain("records_processed"));
        });
    }

    [TestCase("2147483648")]
    [TestCase("-1")]
    public async Task Result_with_a_count_the_integer_column_cannot_hold_exits_2_before_sending_anything(string records)
    {
        var started = Api.Seed(MostRecentTests.Row("nightly", "in_progress", DateTimeOffset.UtcNow.AddMinutes(-5)))[0];

        var result = await Cli.RunAsync(Cli.Environment(Api.Url), "result", "--id", started.Id.ToString(), "--status", "success", "--records", records);

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(2));
            Assert.That(result.Stderr, Does.Contain("--records must be a whole number from 0 to 2147483647"));
            Assert.That(result.Stdout, Is.Empty);
            Assert.That(Api.Requests, Is.Empty);
            Assert.That(Api.Rows.Single().Status, Is.EqualTo("in_progress"));
        });
    }

    [Test]
    public async Task Result_records_the_largest_count_the_integer_column_holds()
    {
        var started = Api.Seed(MostRecentTests.Row("nightly", "in_progress", DateTimeOffset.UtcNow.AddMinutes(-5)))[0];

        var result = await Cli.RunAsync(Cli.Environment(Api.Url), "result", "--id", started.Id.ToString(), "--status", "success", "--records", "2147483647");

        Assert.That(result.ExitCode, Is.EqualTo(0), result.Stderr);
        Assert.That(Api.Rows.Single().RecordsProcessed, Is.EqualTo(int.MaxValue));
    }

    [Test]
    public async Task Result_for_a_run_that_has_ended_with_another_outcome_exits_1_and_changes_nothing()
    {
        var started = Api.Seed(MostRecentTests.Row("nightly", "in_progress", DateTimeOffset.UtcNow.AddMinutes(-5)))[0];
        var id = started.Id.ToString();
        var first = await Cli.RunAsync(Cli.Environment(Api.Url), "result", "--id", id, "--status", "success", "--records", "503");
        Assert.That(first.ExitCode, Is.EqualTo(0), first.Stderr);

        var stray = await Cli.RunAsync(Cli.Environment(Api.Url), "result", "--id", id, "--status", "error", "--message", "late");

        Assert.Multiple(() =>
        {
            Assert.That(stray.ExitCode, Is.EqualTo(1));
            Assert.That(stray.Stdout, Is.Empty);
            Assert.That(stray.Stderr, Does.Contain($"run {id} of job 'nightly' has already ended (status success").And.Contain("records_processed 503"));
            Assert.That(Api.Rows.Single().Status, Is.EqualTo("success"));
            Assert.That(Api.Rows.Single().Message, Is.Null);
        });
    }

    [Test]
    public async Task Result_repeated_with_the_outcome_the_run_already_holds_succeeds()
    {
        var started = Api.Seed(MostRecentTests.Row("nightly", "in_progress", DateTimeOffset.UtcNow.AddMinutes(-5)))[0];
        var id = started.Id.ToString();
        await Cli.RunAsync(Cli.Environment(Api.Url), "result", "--id", id, "--status", "success", "--records", "7");

        var again = await Cli.RunAsync(Cli.Environment(Api.Url), "result", "--id", id, "--status", "success", "--records", "7");

        Assert.That(again.ExitCode, Is.EqualTo(0), again.Stderr);
        Assert.That(JsonDocument.Parse(again.StdoutLines.Single()).RootElement.GetProperty("records_processed").GetInt64(), Is.EqualTo(7));
    }

    [Test]
    public async Task Result_for_a_run_that_does_not_exist_exits_1()
    {
        var result = await Cli.RunAsync(Cli.Environment(Api.Url), "result", "--id", "4242", "--status", "success");

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(1));
            Assert.That(result.Stdout, Is.Empty);
            Assert.That(result.Stderr, Does.Contain("4242").And.Contain("not found"));
            Assert.That(result.Stderr.TrimEnd('\n').Split('\n'), Has.Length.EqualTo(1));
            Assert.That(Api.Requests.Where(r => r.Method == "PATCH"), Is.Empty);
        });
    }

    [Test]
    public async Task Result_for_a_run_started_on_a_host_whose_clock_is_ahead_ends_it_at_its_start()
    {
        // Started an hour "later" than this host's now: this host's clock is behind the one that started the run.
        var started = Api.Seed(MostRecentTests.Row("nightly", "in_progress", DateTimeOffset.UtcNow.AddHours(1)))[0];

        var result = await Cli.RunAsync(Cli.Environment(Api.Url), "result", "--id", started.Id.ToString(), "--status", "success");

        Assert.That(result.ExitCode, Is.EqualTo(0), result.Stderr);
        var row = Api.Rows.Single();
        Assert.Multiple(() =>
        {
            Assert.That(row.Status, Is.EqualTo("success"));
            Assert.That(row.EndDate, Is.EqualTo(started.StartDate));
        });
    }

    [Test]
    public async Task Result_for_a_run_started_earlier_ends_it_now()
    {
        var started = Api.Seed(MostRecentTests.Row("nightly", "in_progress", DateTimeOffset.UtcNow.AddMinutes(-5)))[0];
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);

        var result = await Cli.RunAsync(Cli.Environment(Api.Url), "result", "--id", started.Id.ToString(), "--status", "error");

        Assert.That(result.ExitCode, Is.EqualTo(0), result.Stderr);
        Assert.That(Api.Rows.Single().EndDate, Is.GreaterThan(before));
    }

    [Test]
    public async Task Start_refused_by_the_server_exits_1_with_one_line()
    {
        Api.FailNext(1, 503, "POST");

        var result = await Cli.RunAsync(Cli.Environment(Api.Url), "start", "--name", "nightly", "--source", "crm", "--destination", "warehouse");

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(1));
            Assert.That(result.Stdout, Is.Empty);
            Assert.That(result.Stderr.TrimEnd('\n').Split('\n'), Has.Length.EqualTo(1));
            Assert.That(Api.Rows, Is.Empty);
        });
    }
}
