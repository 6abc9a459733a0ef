using System.Text.Json;
using System.Text.Json.Nodes;
using WireMock;

namespace JobUtil.Tests.Resilience;

/// <summary>
/// The rows of a jobs table behind WireMock callbacks: a POST stores, a GET filters with <c>eq.</c>, a PATCH by
/// <c>id=eq.N</c> updates. Enough state to count rows after failures are injected around it.
/// </summary>
internal sealed class JobsTable
{
    private readonly object _gate = new();
    private readonly List<JsonObject> _rows = [];

    public IReadOnlyList<JsonObject> Rows
    {
        get
        {
            lock (_gate)
            {
                return _rows.Select(r => (JsonObject)r.DeepClone()).ToList();
            }
        }
    }

    /// <summary>Stores the POSTed row and returns the body PostgREST would answer with.</summary>
    public string Insert(IRequestMessage request)
    {
        var row = JsonNode.Parse(request.Body!)!.AsObject();
        lock (_gate)
        {
            row["id"] = _rows.Count + 1;
            row["message"] = null;
            row["records_processed"] = null;
            _rows.Add(row);
            return "[" + row.ToJsonString() + "]";
        }
    }

    /// <summary>The rows matching every <c>col=eq.value</c> filter of the query, as a JSON array.</summary>
    public string Select(IRequestMessage request)
    {
        var filters = Filters(request);
        lock (_gate)
        {
            return "[" + string.Join(", \n ", _rows.Where(r => filters.All(f => Text(r[f.Key]) == f.Value)).Select(r => r.ToJsonString())) + "]";
        }
    }

    /// <summary>Applies the PATCH body to the row <c>id=eq.N</c>; the updated rows as a JSON array.</summary>
    public string Update(IRequestMessage request)
    {
        var id = Filters(request)["id"];
        var changes = JsonNode.Parse(request.Body!)!.AsObject();
        lock (_gate)
        {
            var matched = _rows.Where(r => Text(r["id"]) == id).ToList();
            foreach (var row in matched)
            {
                foreach (var change in changes)
                {
                    row[change.Key] = change.Value?.DeepClone();
                }
            }

            return "[" + string.Join(", \n ", matched.Select(r => r.ToJsonString())) + "]";
        }
    }

    /// <summary>The <c>eq.</c> filters of a request's query, decoded.</summary>
    public static Dictionary<string, string> Filters(IRequestMessage request)
        => (request.RawQuery ?? string.Empty).TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2))
            .Where(p => p.Length == 2 && p[1].StartsWith("eq.", StringComparison.Ordinal))
            .ToDictionary(p => p[0], p => Uri.UnescapeDataString(p[1].Substring(3)));

    private static string? Text(JsonNode? node) => node?.GetValueKind() switch
    {
        null or JsonValueKind.Null => null,
        JsonValueKind.String => node.GetValue<string>(),
        _ => node.ToJsonString(),
    };
}
