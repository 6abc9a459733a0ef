using System.Globalization;
using System.Text.Json;

namespace JobUtil.Testing.Internal;

/// <summary>
/// Answers one HTTP request the way PostgREST over the jobs table would: routing, JWT, <c>Accept</c> and <c>Prefer</c>,
/// body parsing, privileges, then the table operation, and errors in the configured era's shape.
/// </summary>
internal sealed class PostgrestHandler(JobsTable table, FakeJobsApiOptions options)
{
    private const string Json = "application/json; charset=utf-8";
    private const string SingleObject = "application/vnd.pgrst.object+json; charset=utf-8";
    private const string View = "jobs_latest";

    private bool Older => options.Era is PostgrestEra.V10_0 or PostgrestEra.V8 or PostgrestEra.V6;

    public Reply Handle(string method, string path, string query, IReadOnlyDictionary<string, string> headers, string? body)
    {
        var caller = new Caller(Authenticated: false, CanRead: true, CanWrite: true);
        try
        {
            var relation = Route(path);
            caller = Authenticate(headers);
            var single = NegotiateSingle(headers);
            var prefer = Prefer(headers);
            var parameters = QueryString.Parse(query);
            if (relation == FleetView.Name)
            {
                return Fleet(caller, method, parameters);
            }

            var isView = relation == View;
            var read = ReadQuery.Parse(relation, table.Columns, parameters, options.TimeZone);

            return method.ToUpperInvariant() switch
            {
                "GET" or "HEAD" => Get(caller, isView, read, single, prefer, withBody: method.Equals("GET", StringComparison.OrdinalIgnoreCase)),
                "POST" => Post(caller, isView, read, single, prefer, ParseBody(body, allowArray: true)),
                "PATCH" => Patch(caller, isView, read, single, prefer, ParseBody(body, allowArray: false)),
                "DELETE" => Delete(caller, isView, read, single, prefer),
                _ => throw new PgError(405, "PGRST117", $"Unsupported HTTP method: {method}", own: true),
            };
        }
        catch (PgError e)
        {
            return Error(e, caller);
        }
    }

    /// <summary>The answer to an error, in this era's shape.</summary>
    public Reply Error(PgError error, bool anonymous = false)
        => Error(error, new Caller(Authenticated: !anonymous, CanRead: true, CanWrite: true));

    private Reply Error(PgError error, Caller caller)
    {
        var status = error.Status;
        var reply = new Reply(status);
        if (error.Code == "42501")
        {
            // PostgREST answers a permission error 401 to an anonymous caller (inviting a token) and 403 otherwise.
            reply.Status = caller.Authenticated ? 403 : 401;
            if (!caller.Authenticated)
            {
                reply.WithHeader("WWW-Authenticate", "Bearer");
            }
        }

        if (error.WwwAuthenticate is { } challenge)
        {
            reply.WithHeader("WWW-Authenticate", challenge);
        }

        if (options.Era == PostgrestEra.Modern && error.Code is { } code)
        {
            reply.WithHeader("Proxy-Status", $"PostgREST; error={code}");
        }

        var onlyMessage = error.Own && options.Era is PostgrestEra.V8 or PostgrestEra.V6;
        return reply.WithBody(RowJson.Error(error, onlyMessage), Json);
    }

    private string Route(string path)
    {
        var prefix = options.PathPrefix.TrimEnd('/');
        var relation = path.StartsWith(prefix + "/", StringComparison.Ordinal) ? path[(prefix.Length + 1)..] : path.TrimStart('/');
        if ((relation is JobsTable.Name or View || (relation == FleetView.Name && options.ServeFleetView)) && path.StartsWith(prefix + "/", StringComparison.Ordinal))
        {
            return relation;
        }

        throw options.Era == PostgrestEra.Modern
            ? new PgError(404, "PGRST205", $"Could not find the table '{options.Schema}.{relation}' in the schema cache", own: true)
            : new PgError(404, "42P01", $"relation \"{options.Schema}.{relation}\" does not exist");
    }

    private Caller Authenticate(IReadOnlyDictionary<string, string> headers)
    {
        if (options.JwtSecret is not { } secret)
        {
            return new Caller(Authenticated: headers.ContainsKey("Authorization"), CanRead: true, CanWrite: true);
        }

        if (!headers.TryGetValue("Authorization", out var authorization) || !authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            if (!options.AllowAnonymous)
            {
                throw new PgError(401, "PGRST302", "Anonymous access is disabled", own: true) { WwwAuthenticate = "Bearer" };
            }

            return new Caller(Authenticated: false, CanRead: true, CanWrite: false);
        }

        var role = Jwt.Verify(authorization[7..].Trim(), secret, options.TimeProvider.GetUtcNow(), options.Era) ?? options.AnonymousRole;
        var writer = role == options.WriterRole;
        return new Caller(Authenticated: true, CanRead: writer || role == options.AnonymousRole, CanWrite: writer);
    }

    /// <summary>True when the client asked for a single object; a PgError when nothing it accepts can be produced.</summary>
    private bool NegotiateSingle(IReadOnlyDictionary<string, string> headers)
    {
        if (!headers.TryGetValue("Accept", out var accept) || string.IsNullOrWhiteSpace(accept))
        {
            return false;
        }

        foreach (var item in accept.Split(','))
        {
            var type = item.Split(';')[0].Trim().ToLowerInvariant();
            switch (type)
            {
                case "application/json" or "application/*" or "*/*":
                    return false;
                case "application/vnd.pgrst.object+json" or "application/vnd.pgrst.object":
                    return true;
            }
        }

        var message = $"None of these media types are available: {accept}";
        throw options.Era is PostgrestEra.Modern or PostgrestEra.V10_1
            ? new PgError(406, "PGRST107", message, own: true)
            : new PgError(415, "PGRST107", message, own: true);
    }

    private static HashSet<string> Prefer(IReadOnlyDictionary<string, string> headers)
        => headers.TryGetValue("Prefer", out var prefer)
            ? prefer.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal)
            : [];

    private Reply Get(Caller caller, bool isView, ReadQuery query, bool single, HashSet<string> prefer, bool withBody)
    {
        if (!caller.CanRead)
        {
            throw Denied(isView);
        }

        var rows = table.Select(query, isView);
        if (single)
        {
            CheckSingle(rows);
        }

        var reply = new Reply(200);
        var range = rows.Count == 0 ? "*" : $"{query.Offset}-{query.Offset + rows.Count - 1}";
        var total = "*";
        if (prefer.Contains("count=exact"))
        {
            var all = new ReadQuery();
            all.Filters.AddRange(query.Filters);
            var count = table.Select(all, isView).Count;
            total = count.ToString(CultureInfo.InvariantCulture);
            if (rows.Count < count)
            {
                reply.Status = 206;
            }
        }

        reply.WithHeader("Content-Range", $"{range}/{total}");
        var body = single ? RowJson.Object(rows[0], table.Columns, query, options.TimeZone) : RowJson.Array(rows, table.Columns, query, options.TimeZone);
        return withBody ? reply.WithBody(body, single ? SingleObject : Json) : reply;
    }

    /// <summary>The read-only jobs_fleet view: a GET (or HEAD) of its rows; any write is refused as on a view without write privileges.</summary>
    private Reply Fleet(Caller caller, string method, IReadOnlyList<KeyValuePair<string, string>> parameters)
    {
        var get = method.Equals("GET", StringComparison.OrdinalIgnoreCase);
        if (!caller.CanRead || !(get || method.Equals("HEAD", StringComparison.OrdinalIgnoreCase)))
        {
            throw new PgError(401, "42501", $"permission denied for view {FleetView.Name}");
        }

        var body = FleetView.Select(table.Snapshot(), parameters, options.TimeZone, options.CursorColumn, out var count);
        var reply = new Reply(200).WithHeader("Content-Range", count == 0 ? "*/*" : $"0-{count - 1}/*");
        return get ? reply.WithBody(body, Json) : reply;
    }

    private Reply Post(Caller caller, bool isView, ReadQuery query, bool single, HashSet<string> prefer, List<Dictionary<string, JsonElement>> bodies)
    {
        CheckColumns(bodies);
        if (!caller.CanWrite || isView)
        {
            throw Denied(isView);
        }

        var rows = table.Insert(bodies, inserted =>
        {
            if (single)
            {
                CheckSingle(inserted);
            }
        });

        var reply = new Reply(201).WithHeader("Content-Range", "*/*");
        if ((options.Era == PostgrestEra.V6 || prefer.Contains("return=headers-only")) && rows.Count == 1)
        {
            reply.WithHeader("Location", $"/{JobsTable.Name}?id=eq.{rows[0].Id.ToString(CultureInfo.InvariantCulture)}");
        }

        return prefer.Contains("return=representation") ? Represent(reply, rows, query, single) : reply;
    }

    private Reply Patch(Caller caller, bool isView, ReadQuery query, bool single, HashSet<string> prefer, List<Dictionary<string, JsonElement>> bodies)
    {
        CheckColumns(bodies);
        if (!caller.CanWrite || isView)
        {
            throw Denied(isView);
        }

        var rows = table.Update(query, bodies[0], updated =>
        {
            if (single)
            {
                CheckSingle(updated);
            }
        });

        if (rows.Count == 0 && Older)
        {
            return new Reply(404);
        }

        if (options.ReapplyLogicalFiltersAfterPatch)
        {
            // PostgREST v12 filters the updated rows again by the or=/and= trees, now holding their new values.
            rows = [.. rows.Where(r => query.Filters.OfType<LogicTree>().All(tree => tree.Evaluate(r) == true))];
        }

        return Written(rows, query, single, prefer);
    }

    private Reply Delete(Caller caller, bool isView, ReadQuery query, bool single, HashSet<string> prefer)
    {
        if (!caller.CanWrite || isView)
        {
            throw Denied(isView);
        }

        var rows = table.Delete(query, deleted =>
        {
            if (single)
            {
                CheckSingle(deleted);
            }
        });

        return Written(rows, query, single, prefer);
    }

    private Reply Written(List<FakeJobRow> rows, ReadQuery query, bool single, HashSet<string> prefer)
    {
        if (!prefer.Contains("return=representation"))
        {
            return new Reply(204).WithHeader("Content-Range", rows.Count == 0 ? "*/*" : $"0-{rows.Count - 1}/*");
        }

        var reply = new Reply(200).WithHeader("Content-Range", rows.Count == 0 ? "*/*" : $"0-{rows.Count - 1}/*");
        return Represent(reply, rows, query, single);
    }

    private Reply Represent(Reply reply, List<FakeJobRow> rows, ReadQuery query, bool single)
        => single
            ? reply.WithBody(RowJson.Object(rows[0], table.Columns, query, options.TimeZone), SingleObject)
            : reply.WithBody(RowJson.Array(rows, table.Columns, query, options.TimeZone), Json);

    private static void CheckSingle(List<FakeJobRow> rows)
    {
        if (rows.Count != 1)
        {
            throw new PgError(406, "PGRST116", "Cannot coerce the result to a single JSON object", $"The result contains {rows.Count} rows", own: true);
        }
    }

    private static PgError Denied(bool isView)
        => new(401, "42501", isView ? $"permission denied for view {View}" : $"permission denied for table {JobsTable.Name}");

    private void CheckColumns(List<Dictionary<string, JsonElement>> bodies)
    {
        foreach (var key in bodies.SelectMany(b => b.Keys))
        {
            if (Column.Find(table.Columns, key) is null)
            {
                throw options.Era is PostgrestEra.Modern or PostgrestEra.V10_1
                    ? new PgError(400, "PGRST204", $"Could not find the '{key}' column of '{JobsTable.Name}' in the schema cache", own: true)
                    : new PgError(400, "42703", $"column \"{key}\" of relation \"{JobsTable.Name}\" does not exist");
            }
        }
    }

    private static List<Dictionary<string, JsonElement>> ParseBody(string? body, bool allowArray)
    {
        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(string.IsNullOrWhiteSpace(body) ? "<empty>" : body);
            root = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            throw new PgError(400, "PGRST102", "Empty or invalid json", own: true);
        }

        if (root.ValueKind == JsonValueKind.Object)
        {
            return [ToDictionary(root)];
        }

        if (root.ValueKind != JsonValueKind.Array || !allowArray || root.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.Object))
        {
            throw new PgError(400, "PGRST102", "Empty or invalid json", own: true);
        }

        var rows = root.EnumerateArray().Select(ToDictionary).ToList();
        if (rows.Count > 1 && rows.Any(r => !r.Keys.ToHashSet(StringComparer.Ordinal).SetEquals(rows[0].Keys)))
        {
            throw new PgError(400, "PGRST102", "All object keys must match", own: true);
        }

        return rows;
    }

    private static Dictionary<string, JsonElement> ToDictionary(JsonElement element)
    {
        var result = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var property in element.EnumerateObject())
        {
            result[property.Name] = property.Value;
        }

        return result;
    }

    /// <summary>Who is asking: whether a token was presented, and what the role may do.</summary>
    private readonly record struct Caller(bool Authenticated, bool CanRead, bool CanWrite);
}
