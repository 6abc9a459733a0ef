namespace JobUtil.Testing.Internal;

/// <summary>What the fake answers: a status, headers, and an optional body with its content type.</summary>
internal sealed class Reply(int status)
{
    public int Status { get; set; } = status;

    public List<KeyValuePair<string, string>> Headers { get; } = [];

    public string? Body { get; private set; }

    public string? ContentType { get; private set; }

    /// <summary>Close the connection without an answer.</summary>
    public bool Drop { get; init; }

    public Reply WithBody(string body, string contentType)
    {
        Body = body;
        ContentType = contentType;
        return this;
    }

    public Reply WithHeader(string name, string value)
    {
        Headers.Add(new(name, value));
        return this;
    }
}
