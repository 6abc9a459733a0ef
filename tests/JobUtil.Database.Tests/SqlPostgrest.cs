using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Web;
using Npgsql;
using NpgsqlTypes;

namespace JobUtil.Database.Tests;

/// <summary>
/// What PostgREST does for a GET, over a real database, on a loopback port: the relation of the path in schema
/// <c>api</c>, <c>select</c>, <c>eq</c>/<c>gte</c>/<c>in</c>/<c>is.null</c> filters (negated with <c>not.</c>), <c>order</c> and <c>limit</c>, run as the
/// anonymous role <c>web_anon</c> and answered with <c>json_agg</c> of the rows, as PostgREST builds its body; an
/// unknown relation is PostgREST's 404 <c>PGRST205</c>. Enough for the fleet's reads, so that JobFleet and
/// <c>jobutil</c> can be run against db/schema.sql without a PostgREST binary.
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
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            Interlocked.Increment(ref _requests);
            var (status, body) = await AnswerAsync(context.Request);
            var bytes = Encoding.UTF8.GetBytes(body);
            context.Response.StatusCode = status;
            context.Response.ContentType = "application/json; charset=utf-8";
            context.Response.ContentLength64 = bytes.Length;
            await context.Response.OutputStream.WriteAsync(bytes);
            context.Response.Close();
        }
    }

    private async Task<(int Status, string Body)> AnswerAsync(HttpListenerRequest request)
    {
        var relation = request.Url!.AbsolutePath.Trim('/');
        if (request.HttpMethod != "GET")
        {
            return (405, Error("PGRST117", $"Unsupported HTTP method: {request.HttpMethod}"));
        }

        if (!Identifier().IsMatch(relation))
        {
            return (404, Error("PGRST205", $"Could not find the table 'api.{relation}' in the schema cache"));
        }

        await using var connection = await ClusterSetUp.Cluster.OpenAsync(_database);
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var role = new NpgsqlCommand("SET LOCAL ROLE web_anon", connection, transaction))
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
        var query = HttpUtility.ParseQueryString(request.Url.Query);
        foreach (var key in query.AllKeys)
        {
            var value = query[key]!;
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
                    where.Add(Filter(command, key!, value));
                    break;
            }
        }

        command.CommandText = $"""
            SELECT coalesce(json_agg(_postgrest_t), '[]')::text
            FROM (SELECT {columns} FROM api.{Quote(relation)}{(where.Count == 0 ? string.Empty : " WHERE " + string.Join(" AND ", where))}{order}{limit}) _postgrest_t
            """;
        try
        {
            return (200, (string)(await command.ExecuteScalarAsync())!);
        }
        catch (PostgresException e)
        {
            return (400, Error(e.SqlState, e.MessageText));
        }
    }

    private static string Filter(NpgsqlCommand command, string column, string expression)
    {
        if (expression.StartsWith("not.", StringComparison.Ordinal))
        {
            return $"NOT ({Filter(command, column, expression[4..])})";
        }

        var dot = expression.IndexOf('.', StringComparison.Ordinal);
        var op = expression[..dot];
        var operand = expression[(dot + 1)..];
        switch (op)
        {
            case "eq":
                return $"{Quote(column)} = {Parameter(command, operand)}";
            case "gte":
                return $"{Quote(column)} >= {Parameter(command, operand)}";
            case "is" when operand == "null":
                return $"{Quote(column)} IS NULL";
            case "in":
                return $"{Quote(column)} IN ({string.Join(", ", Items(operand[1..^1]).Select(item => Parameter(command, item)))})";
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

    private static string Error(string code, string message)
        => JsonSerializer.Serialize(new Dictionary<string, string?> { ["code"] = code, ["details"] = null, ["hint"] = null, ["message"] = message });

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [GeneratedRegex("^[a-z_]+$")]
    private static partial Regex Identifier();
}
