using System.Text.Json;

namespace JobUtil.Testing.Internal;

/// <summary>
/// The in-memory <c>jobs</c> table with its <c>id</c> sequence and constraints. Every method is one transaction:
/// it takes the lock, computes the change, and commits it only when nothing failed (including <c>accept</c>).
/// </summary>
internal sealed class JobsTable(FakeJobsApiOptions options)
{
    public const string Name = "jobs";
    public const string StatusCheck = "jobs_status_check";
    public const string EndAfterStartCheck = "jobs_end_after_start_check";
    public const string RecordsProcessedCheck = "jobs_records_processed_check";
    public const string InProgressIndex = "jobs_one_in_progress_per_name";
    public const string RunKeyIndex = "jobs_run_key_idx";

    /// <summary>The SQLSTATE with which the <c>jobs_final_state</c> trigger of db/schema.sql refuses to change a finished run.</summary>
    public const string FinalStateCode = "23J01";

    private static readonly string[] Statuses = ["in_progress", "success", "error"];

    private readonly object _gate = new();
    private readonly List<FakeJobRow> _rows = [];
    private readonly TimeZoneInfo _zone = options.TimeZone;
    private long _sequence;

    /// <summary>The table's columns, in table order.</summary>
    public IReadOnlyList<Column> Columns { get; } = Column.For(options);

    public IReadOnlyList<FakeJobRow> Snapshot()
    {
        lock (_gate)
        {
            return [.. _rows];
        }
    }

    /// <summary><c>jobs_latest</c>: the newest row per name (<c>DISTINCT ON (name) … ORDER BY name, start_date DESC</c>).</summary>
    public IReadOnlyList<FakeJobRow> Latest()
    {
        lock (_gate)
        {
            return [.. _rows
                .GroupBy(r => r.Name, StringComparer.Ordinal)
                .OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => g.OrderByDescending(r => r.StartDate.UtcTicks).ThenByDescending(r => r.Id).First())];
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            _rows.Clear();
            _sequence = 0;
        }
    }

    /// <summary>Adds rows as given, checked like an insert; an id of 0 takes the next sequence value. The sequence moves past seeded ids.</summary>
    public IReadOnlyList<FakeJobRow> Seed(IEnumerable<FakeJobRow> rows)
    {
        lock (_gate)
        {
            var added = new List<FakeJobRow>();
            var next = new List<FakeJobRow>(_rows);
            var sequence = _sequence;
            foreach (var row in rows)
            {
                ArgumentNullException.ThrowIfNull(row);
                var id = row.Id == 0 ? ++sequence : row.Id;
                sequence = Math.Max(sequence, id);
                CheckSeededColumns(row);
                var values = Columns.Select(c => c.Get(row)).ToArray();
                values[Column.Id] = id;
                try
                {
                    var checkedRow = Check(values, next, null);
                    next.Add(checkedRow);
                    added.Add(checkedRow);
                }
                catch (PgError e)
                {
                    throw new ArgumentException($"The row cannot be seeded: {e.Message} ({e.Code}). {e.Details}", nameof(rows), e);
                }
            }

            _rows.Clear();
            _rows.AddRange(next);
            _sequence = sequence;
            return added;
        }
    }

    public List<FakeJobRow> Select(ReadQuery query, bool latestView)
        => query.Apply(latestView ? Latest() : Snapshot());

    public List<FakeJobRow> Insert(IReadOnlyList<IReadOnlyDictionary<string, JsonElement>> bodies, Action<List<FakeJobRow>> beforeCommit)
    {
        lock (_gate)
        {
            var next = new List<FakeJobRow>(_rows);
            var inserted = new List<FakeJobRow>();
            foreach (var body in bodies)
            {
                var values = new object?[Columns.Count];
                foreach (var (key, value) in body)
                {
                    var column = Column.Find(Columns, key)!;
                    values[column.Ordinal] = column.FromJson(value, _zone);
                }

                // The default (nextval) is evaluated before any constraint is checked, so a failed insert uses up an id.
                if (!body.ContainsKey("id"))
                {
                    values[Column.Id] = ++_sequence;
                }

                var row = Check(values, next, null);
                next.Add(row);
                inserted.Add(row);
            }

            beforeCommit(inserted);

            _rows.Clear();
            _rows.AddRange(next);
            return inserted;
        }
    }

    public List<FakeJobRow> Update(ReadQuery query, IReadOnlyDictionary<string, JsonElement> body, Action<List<FakeJobRow>> beforeCommit)
    {
        lock (_gate)
        {
            var assignments = body.Select(p => (Column: Column.Find(Columns, p.Key)!, p.Value)).ToList();
            var next = new List<FakeJobRow>(_rows);
            var updated = new List<FakeJobRow>();
            for (var i = 0; i < next.Count; i++)
            {
                if (!query.Matches(next[i]))
                {
                    continue;
                }

                var values = Columns.Select(c => c.Get(next[i])).ToArray();
                foreach (var (column, value) in assignments)
                {
                    values[column.Ordinal] = column.FromJson(value, _zone);
                }

                // A BEFORE UPDATE trigger: it sees the new values coerced to the columns' types, before any constraint.
                if (options.EnforceFinalStates)
                {
                    FinalState.Check(this, next[i], values);
                }

                var row = Check(values, next, i);
                next[i] = row;
                updated.Add(row);
            }

            beforeCommit(updated);
            _rows.Clear();
            _rows.AddRange(next);
            return updated;
        }
    }

    public List<FakeJobRow> Delete(ReadQuery query, Action<List<FakeJobRow>> beforeCommit)
    {
        lock (_gate)
        {
            var deleted = _rows.Where(query.Matches).ToList();
            beforeCommit(deleted);
            _rows.RemoveAll(query.Matches);
            return deleted;
        }
    }

    /// <summary>NOT NULL, then the CHECKs (in name order, as PostgreSQL evaluates them), then the unique indexes.</summary>
    private FakeJobRow Check(object?[] values, List<FakeJobRow> table, int? replacing)
    {
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = Columns[i].Store(values[i]);
        }

        foreach (var column in Columns)
        {
            if (column.NotNull && values[column.Ordinal] is null)
            {
                throw new PgError(400, "23502", $"null value in column \"{column.Name}\" of relation \"{Name}\" violates not-null constraint", FailingRow(values));
            }
        }

        if (values[Column.EndDate] is DateTimeOffset ended && ended < (DateTimeOffset)values[Column.StartDate]!)
        {
            throw new PgError(400, "23514", $"new row for relation \"{Name}\" violates check constraint \"{EndAfterStartCheck}\"", FailingRow(values));
        }

        if (values[Column.RecordsProcessed] is long records && records < 0)
        {
            throw new PgError(400, "23514", $"new row for relation \"{Name}\" violates check constraint \"{RecordsProcessedCheck}\"", FailingRow(values));
        }

        if (Array.IndexOf(Statuses, (string)values[Column.Status]!) < 0)
        {
            throw new PgError(400, "23514", $"new row for relation \"{Name}\" violates check constraint \"{StatusCheck}\"", FailingRow(values));
        }

        var row = new FakeJobRow
        {
            Id = (long)values[0]!,
            Name = (string)values[1]!,
            StartDate = (DateTimeOffset)values[Column.StartDate]!,
            EndDate = (DateTimeOffset?)values[Column.EndDate],
            Message = (string?)values[4],
            Status = (string)values[Column.Status]!,
            RecordsProcessed = values[Column.RecordsProcessed] is long n ? checked((int)n) : null,
            Source = (string)values[7]!,
            Destination = (string)values[8]!,
            HeartbeatAt = (DateTimeOffset?)ValueOf(values, "heartbeat_at"),
            Host = (string?)ValueOf(values, "host"),
            Cursor = (string?)ValueOf(values, "cursor"),
            RunKey = (Guid?)ValueOf(values, Column.RunKey),
        };

        // The unique indexes one after the other, in the order they were created, as PostgreSQL checks them: the primary
        // key, run_key (db/schema.sql), then the opt-in overlap guard.
        var others = table.Where((_, i) => i != replacing).ToList();
        if (others.Any(r => r.Id == row.Id))
        {
            throw new PgError(409, "23505", $"duplicate key value violates unique constraint \"{Name}_pkey\"", $"Key (id)=({row.Id}) already exists.");
        }

        if (row.RunKey is { } key && others.Any(r => r.RunKey == key))
        {
            throw new PgError(409, "23505", $"duplicate key value violates unique constraint \"{RunKeyIndex}\"", $"Key (run_key)=({key:D}) already exists.");
        }

        if (options.OneRunInProgressPerName && row.Status == "in_progress" && others.Any(r => r.Status == "in_progress" && r.Name == row.Name))
        {
            throw new PgError(409, "23505", $"duplicate key value violates unique constraint \"{InProgressIndex}\"", $"Key (name)=({row.Name}) already exists.");
        }

        return row;
    }

    /// <summary>The value of an added column (heartbeat_at, host, cursor), or null when the table does not have it.</summary>
    private object? ValueOf(object?[] values, string column) => Column.Find(Columns, column) is { } found ? values[found.Ordinal] : null;

    private string FailingRow(object?[] values)
        => "Failing row contains (" + string.Join(", ", values.Select((v, i) => Columns[i].ToText(v, _zone))) + ").";

    /// <summary>A value as this table prints it in text, in the database's zone.</summary>
    public string ToText(Column column, object? value) => column.ToText(value, _zone);

    private void CheckSeededColumns(FakeJobRow row)
    {
        if (!options.HeartbeatColumns && (row.HeartbeatAt is not null || row.Host is not null))
        {
            throw new ArgumentException("The row cannot be seeded: the table has no heartbeat_at or host column (FakeJobsApiOptions.HeartbeatColumns is false).", nameof(row));
        }

        if (!options.CursorColumn && row.Cursor is not null)
        {
            throw new ArgumentException("The row cannot be seeded: the table has no cursor column (FakeJobsApiOptions.CursorColumn is false).", nameof(row));
        }

        if (!options.RunKeyColumn && row.RunKey is not null)
        {
            throw new ArgumentException("The row cannot be seeded: the table has no run_key column (FakeJobsApiOptions.RunKeyColumn is false).", nameof(row));
        }
    }
}
