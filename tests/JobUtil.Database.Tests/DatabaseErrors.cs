using Npgsql;

namespace JobUtil.Database.Tests;

/// <summary>Runs SQL and tells which SQLSTATE, if any, PostgreSQL refused it with.</summary>
internal static class DatabaseErrors
{
    public static async Task<string?> SqlStateOfAsync(NpgsqlConnection connection, string sql)
    {
        try
        {
            await using var command = new NpgsqlCommand(sql, connection);
            await command.ExecuteNonQueryAsync();
            return null;
        }
        catch (PostgresException e)
        {
            return e.SqlState;
        }
    }

    public static async Task<T> ScalarAsync<T>(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }
}
