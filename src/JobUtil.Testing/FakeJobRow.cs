namespace JobUtil.Testing;

/// <summary>One row of the fake <c>jobs</c> table: the nine columns of the original table, and the three that <c>db/schema.sql</c> adds.</summary>
/// <remarks>
/// Used both to seed the table (<see cref="FakeJobsApi.Seed(FakeJobRow[])"/>) and to inspect it
/// (<see cref="FakeJobsApi.Rows"/>). Timestamps are kept with microsecond precision, as PostgreSQL keeps them (or with
/// less, see <see cref="FakeJobsApiOptions.StartDatePrecision"/>). With
/// <see cref="FakeJobsApiOptions.TimestampsWithoutTimeZone"/>, a timestamp holds the stored wall time with offset zero.
/// </remarks>
public sealed record FakeJobRow
{
    /// <summary>The row's id (<c>SERIAL</c>). When seeding, 0 means "take the next value of the sequence".</summary>
    public long Id { get; init; }

    /// <summary>The ETL job's name (<c>TEXT NOT NULL</c>).</summary>
    public required string Name { get; init; }

    /// <summary>When the run started (<c>TIMESTAMPTZ NOT NULL</c>).</summary>
    public required DateTimeOffset StartDate { get; init; }

    /// <summary>When the run ended (<c>TIMESTAMPTZ</c>); <see langword="null"/> while running.</summary>
    public DateTimeOffset? EndDate { get; init; }

    /// <summary>An optional message (<c>TEXT</c>).</summary>
    public string? Message { get; init; }

    /// <summary>The run's status (<c>TEXT NOT NULL</c>, one of <c>in_progress</c>, <c>success</c>, <c>error</c>).</summary>
    public string Status { get; init; } = "in_progress";

    /// <summary>How many records the run processed (<c>INTEGER</c>).</summary>
    public int? RecordsProcessed { get; init; }

    /// <summary>The name of the source database (<c>TEXT NOT NULL</c>).</summary>
    public required string Source { get; init; }

    /// <summary>The name of the destination database (<c>TEXT NOT NULL</c>).</summary>
    public required string Destination { get; init; }

    /// <summary>
    /// When the running client last reported it was alive (<c>TIMESTAMPTZ</c>); <see langword="null"/> when it sent no heartbeat.
    /// Always <see langword="null"/> when the table has no such column (<see cref="FakeJobsApiOptions.HeartbeatColumns"/>).
    /// </summary>
    public DateTimeOffset? HeartbeatAt { get; init; }

    /// <summary>
    /// The machine the run runs on (<c>TEXT</c>); <see langword="null"/> when not given. Always <see langword="null"/> when the
    /// table has no such column (<see cref="FakeJobsApiOptions.HeartbeatColumns"/>).
    /// </summary>
    public string? Host { get; init; }

    /// <summary>
    /// Where the run got to in its source (<c>TEXT</c>), recorded with its success; <see langword="null"/> when it stored none.
    /// Always <see langword="null"/> when the table has no such column (<see cref="FakeJobsApiOptions.CursorColumn"/>).
    /// </summary>
    public string? Cursor { get; init; }

    /// <summary>
    /// The key the client that started the run gave it (<c>run_key uuid</c>, unique); <see langword="null"/> when it sent
    /// none. Always <see langword="null"/> when the table has no such column (<see cref="FakeJobsApiOptions.RunKeyColumn"/>).
    /// </summary>
    public Guid? RunKey { get; init; }
}
