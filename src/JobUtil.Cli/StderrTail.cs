using System.Text;

namespace JobUtil.Cli;

/// <summary>
/// Watches bytes written to a stream and keeps the last non-blank line, so an error can be recorded with the
/// command's own last word. Only the start of a very long line is kept.
/// </summary>
internal sealed class StderrTail
{
    private const int MaxLineBytes = 4000;
    private readonly List<byte> _current = new(256);
    private bool _currentTruncated;
    private string? _lastComplete;

    public void Append(ReadOnlySpan<byte> bytes)
    {
        foreach (var b in bytes)
        {
            if (b == (byte)'\n')
            {
                var line = Decode();
                if (line.Length > 0)
                {
                    _lastComplete = line;
                }

                _current.Clear();
                _currentTruncated = false;
            }
            else if (_current.Count < MaxLineBytes)
            {
                _current.Add(b);
            }
            else
            {
                _currentTruncated = true;
            }
        }
    }

    /// <summary>The last non-blank line, an unfinished one included; <see langword="null"/> when there was none.</summary>
    public string? LastLine
    {
        get
        {
            var unfinished = Decode();
            return unfinished.Length > 0 ? unfinished : _lastComplete;
        }
    }

    private string Decode()
    {
        var text = Encoding.UTF8.GetString([.. _current]).Trim();
        return _currentTruncated && text.Length > 0 ? text + "…" : text;
    }
}
