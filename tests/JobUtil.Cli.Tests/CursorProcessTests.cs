namespace JobUtil.Cli.Tests;

/// <summary>
/// jobutil run as a real process with a real shell command: it hands the command JOBUTIL_CURSOR (the last cursor) and
/// JOBUTIL_CURSOR_FILE, and stores what the command wrote there with its success; a cursor file that cannot be read, or
/// is not UTF-8, fails the run (exit 1, one jobutil: line) and stores no cursor.
/// </summary>
[NonParallelizable]
public class CursorProcessTests : FakeApiFixture
{
    private static readonly DateTimeOffset T0 = new(2024, 5, 1, 0, 0, 0, TimeSpan.Zero);

    [Test]
    public async Task The_command_gets_an_empty_cursor_on_the_first_run_and_what_it_wrote_on_the_next()
    {
        const string write = "echo \"[$JOBUTIL_CURSOR]\"; test -f \"$JOBUTIL_CURSOR_FILE\" && test ! -s \"$JOBUTIL_CURSOR_FILE\" && echo empty-file; echo 2024-05-01T12:00:00.123456Z > \"$JOBUTIL_CURSOR_FILE\"";

        var (first, firstOut, _) = await RunAsync(write);
        var (second, secondOut, _) = await RunAsync("echo \"[$JOBUTIL_CURSOR]\"");

        Assert.Multiple(() =>
        {
            Assert.That((first, second), Is.EqualTo((0, 0)));
            Assert.That(firstOut, Is.EqualTo("[]\nempty-file\n"));
            Assert.That(secondOut, Is.EqualTo("[2024-05-01T12:00:00.123456Z]\n"));
            Assert.That(Api.Rows.Select(r => r.Cursor), Is.EqualTo(new[] { "2024-05-01T12:00:00.123456Z", null }), "one trailing newline is dropped; a run that wrote nothing stores none");
        });
    }

    [Test]
    public async Task A_cursor_with_characters_that_need_escaping_round_trips_through_the_file_and_the_environment()
    {
        const string cursor = "a&b=c #2 100% it's \"q\" Müller 名前 😀";
        Api.Seed(MostRecentTests.Row("nightly", "success", T0) with { Cursor = cursor });

        var (exitCode, stdout, _) = await RunAsync("printf '%s' \"$JOBUTIL_CURSOR\"; printf '%s|next' \"$JOBUTIL_CURSOR\" > \"$JOBUTIL_CURSOR_FILE\"");

        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.Zero);
            Assert.That(stdout, Is.EqualTo(cursor));
            Assert.That(Api.Rows[^1].Cursor, Is.EqualTo(cursor + "|next"));
        });
    }

    [Test]
    public async Task A_command_that_fails_stores_no_cursor_and_the_next_run_gets_the_last_good_one()
    {
        Api.Seed(MostRecentTests.Row("nightly", "success", T0) with { Cursor = "good" });

        var (failed, _, _) = await RunAsync("echo moved > \"$JOBUTIL_CURSOR_FILE\"; exit 3");
        var (_, next, _) = await RunAsync("echo \"$JOBUTIL_CURSOR\"");

        Assert.Multiple(() =>
        {
            Assert.That(failed, Is.EqualTo(3));
            Assert.That(Api.Rows[1].Status, Is.EqualTo("error"));
            Assert.That(Api.Rows[1].Cursor, Is.Null);
            Assert.That(next, Is.EqualTo("good\n"));
        });
    }

    [Test]
    public async Task A_cursor_file_that_is_not_UTF8_fails_the_run_with_exit_1_and_stores_no_cursor()
    {
        var (exitCode, _, stderr) = await RunAsync("printf 'abc\\377\\376' > \"$JOBUTIL_CURSOR_FILE\"");

        var run = Api.Rows.Single();
        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.EqualTo(1));
            Assert.That(stderr, Does.StartWith("jobutil: ").And.Contain("JOBUTIL_CURSOR_FILE").And.Contain("not UTF-8"));
            Assert.That(stderr.Split('\n'), Has.Length.EqualTo(1));
            Assert.That(run.Status, Is.EqualTo("error"));
            Assert.That(run.Message, Does.Contain("not UTF-8"));
            Assert.That(run.Cursor, Is.Null);
        });
    }

    [Test]
    public async Task A_cursor_file_that_cannot_be_read_fails_the_run_with_exit_1_and_stores_no_cursor()
    {
        var (exitCode, _, stderr) = await RunAsync("rm -f \"$JOBUTIL_CURSOR_FILE\"; mkdir \"$JOBUTIL_CURSOR_FILE\"");

        var run = Api.Rows.Single();
        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.EqualTo(1));
            Assert.That(stderr, Does.StartWith("jobutil: ").And.Contain("could not be read"));
            Assert.That(run.Status, Is.EqualTo("error"));
            Assert.That(run.Cursor, Is.Null);
        });
    }

    [Test]
    public async Task A_cursor_longer_than_the_maximum_fails_the_run_with_exit_1()
    {
        var (exitCode, _, stderr) = await RunAsync("head -c 4097 /dev/zero | tr '\\0' x > \"$JOBUTIL_CURSOR_FILE\"");

        var run = Api.Rows.Single();
        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.EqualTo(1));
            Assert.That(stderr, Does.StartWith("jobutil: ").And.Contain("4096"));
            Assert.That(run.Status, Is.EqualTo("error"));
            Assert.That(run.Cursor, Is.Null);
        });
    }

    private async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string script)
    {
        using var jobutil = JobUtilProcess.Start(Api.Url, "run", "--name", "nightly", "--source", "crm", "--destination", "warehouse", "--", "sh", "-c", script);
        var (exitCode, stdout) = await jobutil.WaitForExitAsync();
        return (exitCode, stdout, jobutil.Stderr);
    }
}
