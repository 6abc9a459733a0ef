using System.Text.Json;
using Npgsql;

namespace JobUtil.Database.Tests;

/// <summary>
/// Updates api.jobs the way PostgREST does for a PATCH: only the keys present in the body are set, with values converted
/// by <c>json_populate_record</c>, under the given WHERE clause.
/// </summary>
internal static class PostgrestUpdate
{
    /// <summary>Updates the rows <paramref name="where"/> selects; the number updated. A refusal surfaces as <see cref="PostgresException"/>.</summary>
    public static async Task<int> UpdateAsync(NpgsqlConnection connection, string where, string body)
    {
        using var document = JsonDocument.Parse(body);
        var assignments = string.Join(", ", document.RootElement.EnumerateObject().Select(p => $"\"{p.Name}\" = src.\"{p.Name}\""));
        await using var command = new NpgsqlCommand(
            $"UPDATE api.jobs SET {assignments} FROM json_populate_record(NULL::api.jobs, @body::json) AS src WHERE {where}", connection);
        command.Parameters.AddWithValue("body", body);
        return await command.ExecuteNonQueryAsync();
    }
}
