using System.Text.Json;
using Npgsql;

namespace JobUtil.Database.Tests;

/// <summary>
/// Inserts a JSON body into api.jobs the way PostgREST does for a POST: only the keys present in the body are
/// inserted (the others take their default), and values are converted by <c>json_populate_recordset</c>, so a bad
/// value fails with the same SQLSTATE PostgREST would report.
/// </summary>
internal static class PostgrestInsert
{
    private static readonly HashSet<string> Columns =
        ["id", "name", "start_date", "end_date", "message", "status", "records_processed", "source", "destination", "heartbeat_at", "host", "cursor", "run_key"];

    /// <summary>Inserts the row and returns its id; a refusal surfaces as <see cref="PostgresException"/>.</summary>
    public static async Task<int> InsertAsync(NpgsqlConnection connection, string body)
    {
        using var document = JsonDocument.Parse(body);
        var keys = document.RootElement.EnumerateObject().Select(p => p.Name).ToList();
        var unknown = keys.Where(k => !Columns.Contains(k)).ToList();
        if (unknown.Count > 0)
        {
            throw new ArgumentException($"Not a column of api.jobs: {string.Join(", ", unknown)}", nameof(body));
        }

        var columns = string.Join(", ", keys.Select(k => $"\"{k}\""));
        var sql = $"""
            INSERT INTO api.jobs ({columns})
            SELECT {columns} FROM json_populate_recordset(NULL::api.jobs, json_build_array(@body::json))
            RETURNING id
            """;
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("body", body);
        return (int)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>The SQLSTATE with which PostgreSQL refuses <paramref name="body"/>, or <see langword="null"/> when it is inserted (and rolled back).</summary>
    public static async Task<string?> SqlStateOfAsync(NpgsqlConnection connection, string body)
        => (await RefusalOfAsync(connection, body))?.SqlState;

    /// <summary>The error with which PostgreSQL refuses <paramref name="body"/>, or <see langword="null"/> when it is inserted (and rolled back).</summary>
    public static async Task<PostgresException?> RefusalOfAsync(NpgsqlConnection connection, string body)
    {
        await using var transaction = await connection.BeginTransactionAsync();
        try
        {
            await InsertAsync(connection, body);
            return null;
        }
        catch (PostgresException e)
        {
            return e;
        }
        finally
        {
            await transaction.RollbackAsync();
        }
    }
}
