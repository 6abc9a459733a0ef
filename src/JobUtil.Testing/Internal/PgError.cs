namespace JobUtil.Testing.Internal;

/// <summary>
/// An error PostgREST would answer with. <see cref="Own"/> errors come from PostgREST itself (codes <c>PGRST…</c>);
/// the others come from PostgreSQL and always carry all four keys.
/// </summary>
internal sealed class PgError : Exception
{
    public PgError(int status, string? code, string message, string? details = null, string? hint = null, bool own = false)
        : base(message)
    {
        Status = status;
        Code = code;
        Details = details;
        Hint = hint;
        Own = own;
    }

    public PgError()
        : this(500, null, "error")
    {
    }

    public PgError(string message)
        : this(500, null, message)
    {
    }

    public PgError(string message, Exception innerException)
        : base(message, innerException)
    {
        Status = 500;
    }

    public int Status { get; }

    public string? Code { get; }

    public string? Details { get; }

    public string? Hint { get; }

    public bool Own { get; }

    /// <summary>The <c>WWW-Authenticate</c> value to send, when the error is about authentication.</summary>
    public string? WwwAuthenticate { get; init; }

    public static PgError ParseFailure(string what, string text, string? details = null)
        => new(400, "PGRST100", $"\"failed to parse {what} ({text})\"", details, own: true);

    public static PgError UndefinedColumn(string table, string column)
        => new(400, "42703", $"column {table}.{column} does not exist");
}
