using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Npgsql;
using NpgsqlTypes;

namespace JobUtil.Database.Tests;

/// <summary>
/// What PostgREST does over a real database, on a loopback port: for a GET, the relation of the path in schema
/// <c>api</c>, <c>select</c>, <c>eq</c>/<c>gte</c>/<c>lte</c>/<c>in</c>/<c>is.null</c> filters (negated with <c>not.</c>), <c>order</c> and <c>limit</c>, run as
/// the anonymous role <c>web_anon</c>; a POST (one JSON object, only its keys inserted) and a PATCH (its keys set on the
/// filtered rows) as <c>jobs_writer</c>, each in its own transaction, answered as with <c>return=representation</c>.
/// Bodies are <c>json_agg</c> of the rows, as PostgREST builds them; an unknown relation is 404 <c>PGRST205</c>, an
/// unknown column in a body 400 <c>PGRST204</c>, a database error its SQLSTATE with PostgREST's status (23505 is 409).
/// Requests are served concurrently. Enough for the fleet's reads and for Jobs that start and end runs, so that JobFleet,
/// <c>jobutil</c> and Job can be run against db/schema.sql without a PostgREST binary.
/// </summary>
internal sealed partial class SqlPostgrest : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly string _database;
    private readonly Task _loop;
    private int _requests;

    private SqlPostgrest(string database, int port)
    {
        _database = database;
        BaseUrl = $"http://127.0.0.1:{port}";
        _listener.Prefixes.Add(BaseUrl + "/");
        _listener.Start();
        _loop = Task.Run(ServeAsync);
    }

    public string BaseUrl { get; }

    /// <summary>How many requests have been answered.</summary>
    public int Requests => Volatile.Read(ref _requests);

    /// <summary>The jobs table's URL, as clients are given it.</summary>
    public string Url => BaseUrl + "/jobs";

    public static SqlPostgrest Start(string database) => new(database, FreePort());

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        try
        {
            await _loop;
        }
        catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
        {
        }
    }

    private async Task ServeAsync()
    {
        var answering = new List<Task>();
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                break;
            }

            // Each request on its own, as PostgREST serves them: concurrent writes meet in the database.
            answering.Add(Task.Run(() => RespondAsync(context)));
        }

        await Task.WhenAll(answering).ContinueWith(_ => { }, TaskScheduler.Default);
    }

    private async Task RespondAsync(HttpListenerContext context)
    {
        Interlocked.Increment(ref _requests);
        string? body = null;
        if (context.Request.HasEntityBody)
        {
            using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
            body = await reader.ReadToEndAsync();
        }

        var (status, answer) = await AnswerAsync(context.Request, body);
        var bytes = Encoding.UTF8.GetBytes(answer);
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.ContentLength64 = bytes.Length;
        try
        {
            await context.Response.OutputStream.WriteAsync(bytes);
            context.Response.Close();
        }
        catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or IOException)
        {
            // The client went away (a test's fault handler dropped the connection).
        }
    }

    private async Task<(int Status, string Body)> AnswerAsync(HttpListenerRequest request, string? body)
    {
        var relation = request.Url!.AbsolutePath.Trim('/');
        var method = request.HttpMethod;
        if (method is not ("GET" or "POST" or "PATCH"))
        {
            return (405, Error("PGRST117", $"Unsupported HTTP method: {method}"));
        }

        if (!Identifier().IsMatch(relation))
        {
            return (404, Error("PGRST205", $"Could not find the table 'api.{relation}' in the schema cache"));
        }

        await using var connection = await ClusterSetUp.Cluster.OpenAsync(_database);
        await using var transaction = await connection.BeginTransactionAsync();

        // Reads as the anonymous role; writes as the role a writer's token names.
        await using (var role = new NpgsqlCommand(method == "GET" ? "SET LOCAL ROLE web_anon" : "SET LOCAL ROLE jobs_writer", connection, transaction))
        {
            await role.ExecuteNonQueryAsync();
        }

        await using (var exists = new NpgsqlCommand("SELECT to_regclass('api.' || quote_ident(@relation)) IS NOT NULL", connection, transaction))
        {
            exists.Parameters.AddWithValue("relation", relation);
            if (!(bool)(await exists.ExecuteScalarAsync())!)
            {
                return (404, Error("PGRST205", $"Could not find the table 'api.{relation}' in the schema cache"));
            }
        }

        await using var command = new NpgsqlCommand { Connection = connection, Transaction = transaction };
        var columns = "*";
        var where = new List<string>();
        var order = string.Empty;
        var limit = string.Empty;
        foreach (var (key, value) in Parameters(request.Url.Query))
        {
            switch (key)
            {
                case "select":
                    columns = string.Join(", ", value.Split(',').Select(Quote));
                    break;
                case "order":
                    order = " ORDER BY " + string.Join(", ", value.Split(',').Select(term =>
                    {
                        var parts = term.Split('.');
                        return Quote(parts[0]) + (parts.Length > 1 && parts[1] == "desc" ? " DESC" : " ASC");
                    }));
                    break;
                case "limit":
                    limit = " LIMIT " + int.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
                    break;
                default:
                    where.Add(Filter(command, key, value));
                    break;
            }
        }

        var condition = where.Count == 0 ? string.Empty : " WHERE " + string.Join(" AND ", where);
        if (method != "GET")
        {
            using var document = JsonDocument.Parse(body ?? "{}");
            var keys = document.RootElement.EnumerateObject().Select(p => p.Name).ToList();
            var known = await TableColumnsAsync(connection, transaction, relation);
            if (keys.FirstOrDefault(k => !known.Contains(k)) is { } unknown)
            {
                return (400, Error("PGRST204", $"Could not find the '{unknown}' column of '{relation}' in the schema cache"));
            }

            command.Parameters.AddWithValue("body", body!);
            var target = $"api.{Quote(relation)}";
            command.CommandText = method == "POST"
                ? $"""
                    WITH _postgrest_t AS (
                        INSERT INTO {target} ({string.Join(", ", keys.Select(Quote))})
                        SELECT {string.Join(", ", keys.Select(Quote))} FROM json_populate_recordset(NULL::{target}, json_build_array(@body::json))
                        RETURNING {target}.*)
                    SELECT coalesce(json_agg(_postgrest_t), '[]')::text FROM _postgrest_t
                    """
                : $"""
                    WITH _postgrest_t AS (
                        UPDATE {target} AS _postgrest_r SET {string.Join(", ", keys.Select(k => $"{Quote(k)} = _src.{Quote(k)}"))}
                        FROM json_populate_record(NULL::{target}, @body::json) AS _src{condition}
                        RETURNING _postgrest_r.*)
                    SELECT coalesce(json_agg(_postgrest_t), '[]')::text FROM _postgrest_t
                    """;
        }
        else
        {
            command.CommandText = $"""
                SELECT coalesce(json_agg(_postgrest_t), '[]')::text
                FROM (SELECT {columns} FROM api.{Quote(relation)} AS _postgrest_r{condition}{order}{limit}) _postgrest_t
                """;
        }

        try
        {
            var rows = (string)(await command.ExecuteScalarAsync())!;
            await transaction.CommitAsync();
            return (method == "POST" ? 201 : 200, rows);
        }
        catch (PostgresException e)
        {
            // PostgREST's statuses: a unique or foreign key violation is 409, other integrity and input errors 400.
            var status = e.SqlState is "23505" or "23503" ? 409 : e.SqlState.StartsWith("22", StringComparison.Ordinal) || e.SqlState.StartsWith("23", StringComparison.Ordinal) || e.SqlState == "42703" ? 400 : 500;
            return (status, Error(e.SqlState, e.MessageText, e.Detail));
        }
    }

    /// <summary>The query's parameters in order, a key as often as it is given (<c>start_date=gte.…&amp;start_date=lte.…</c>).</summary>
    private static IEnumerable<(string Key, string Value)> Parameters(string query)
    {
        foreach (var pair in query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            yield return equals < 0
                ? (Uri.UnescapeDataString(pair), string.Empty)
                : (Uri.UnescapeDataString(pair[..equals]), Uri.UnescapeDataString(pair[(equals + 1)..]));
        }
    }

    private static async Task<HashSet<string>> TableColumnsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string relation)
    {
        await using var command = new NpgsqlCommand(
            "SELECT attname::text FROM pg_attribute WHERE attrelid = ('api.' || quote_ident(@relation))::regclass AND attnum > 0 AND NOT attisdropped",
            connection,
            transaction);
        command.Parameters.AddWithValue("relation", relation);
        var names = new HashSet<string>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            names.Add(reader.GetString(0));
        }

        return names;
    }

    /// <summary>A filter as SQL on the rows of <c>_postgrest_r</c>, the relation's alias in every statement.</summary>
    private static string Filter(NpgsqlCommand command, string name, string expression)
    {
        var column = "_postgrest_r." + Quote(name);
        if (expression.StartsWith("not.", StringComparison.Ordinal))
        {
            return $"NOT ({Filter(command, name, expression[4..])})";
        }

        var dot = expression.IndexOf('.', StringComparison.Ordinal);
        var op = expression[..dot];
        var operand = expression[(dot + 1)..];
        switch (op)
        {
            case "eq":
                return $"{column} = {Parameter(command, operand)}";
            case "gte":
                return $"{column} >= {Parameter(command, operand)}";
            case "lte":
                return $"{column} <= {Parameter(command, operand)}";
            case "is" when operand == "null":
                return $"{column} IS NULL";
            case "in":
                return $"{column} IN ({string.Join(", ", Items(operand[1..^1]).Select(item => Parameter(command, item)))})";
            default:
                throw new NotSupportedException($"The operator '{op}' is not served here.");
        }
    }

    /// <summary>The items of an <c>in.(…)</c> list: comma-separated, double-quoted items may hold commas, <c>\"</c> and <c>\\</c>.</summary>
    private static List<string> Items(string list)
    {
        var items = new List<string>();
        var item = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < list.Length; i++)
        {
            var c = list[i];
            if (quoted && c == '\\' && i + 1 < list.Length)
            {
                item.Append(list[++i]);
            }
            else if (c == '"')
            {
                quoted = !quoted;
            }
            else if (c == ',' && !quoted)
            {
                items.Add(item.ToString());
                item.Clear();
            }
            else
            {
                item.Append(c);
            }
        }

        items.Add(item.ToString());
        return items;
    }

    /// <summary>A parameter of unknown type, so PostgreSQL reads the text as the column's type, as PostgREST's literals are.</summary>
    private static string Parameter(NpgsqlCommand command, string value)
    {
        var name = "p" + command.Parameters.Count;
        command.Parameters.Add(new NpgsqlParameter(name, NpgsqlDbType.Unknown) { Value = value });
        return "@" + name;
    }

    private static string Quote(string identifier)
        => Identifier().IsMatch(identifier) ? "\"" + identifier + "\"" : throw new NotSupportedException($"Not an identifier: {identifier}");

    private static string Error(string code, string message, string? details = null)
        => JsonSerializer.Serialize(new Dictionary<string, string?> { ["code"] = code, ["details"] = details, ["hint"] = null, ["message"] = message });

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [GeneratedRegex("^[a-z_]+$")]
    private static partial Regex Identifier();
}
