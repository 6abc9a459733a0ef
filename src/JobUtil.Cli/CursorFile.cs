using System.Globalization;
using System.Text;

namespace JobUtil.Cli;

/// <summary>
/// The file <c>jobutil run</c> hands the command in <c>JOBUTIL_CURSOR_FILE</c>: what the command wrote to it before a
/// successful exit is the run's cursor. It is read strictly, because a cursor read wrongly would be stored with a success
/// and the next run would resume from the wrong place: bytes that are not UTF-8, a file that cannot be read, or one
/// far longer than a cursor may be are errors, never a cursor.
/// </summary>
internal static class CursorFile
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// The cursor the command wrote: the file's text without a UTF-8 byte order mark and without one trailing line end
    /// (as <c>echo</c> writes it); <see langword="null"/> when it wrote nothing (the file is empty, or gone).
    /// </summary>
    /// <exception cref="InvalidDataException">The file cannot be read, is not UTF-8, or is longer than a cursor may be; the message says which.</exception>
    public static async Task<string?> ReadAsync(string path)
    {
        byte[] bytes;
        try
        {
            if (!File.Exists(path) && !Directory.Exists(path))
            {
                return null;
            }

            // Never more than a cursor may take (and a line end): a runaway file is refused without reading it all.
            var limit = JobCursor.MaxLength + 3 + 2;
            var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 1, useAsync: true);
            var buffer = new byte[limit + 1];
            var read = 0;
            await using (stream.ConfigureAwait(false))
            {
                int n;
                while (read < buffer.Length && (n = await stream.ReadAsync(buffer.AsMemory(read)).ConfigureAwait(false)) > 0)
                {
                    read += n;
                }
            }

            if (read > limit)
            {
                throw new InvalidDataException($"holds more than {JobCursor.MaxLength.ToString(CultureInfo.InvariantCulture)} bytes, the most a cursor may take (JobCursor.MaxLength)");
            }

            bytes = buffer[..read];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidDataException($"could not be read ({e.Message})", e);
        }

        string text;
        try
        {
            text = StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException e)
        {
            throw new InvalidDataException($"is not UTF-8 text (an invalid byte at offset {e.Index.ToString(CultureInfo.InvariantCulture)})", e);
        }

        if (text.StartsWith('\uFEFF'))
        {
            text = text[1..];
        }

        if (text.EndsWith('\n'))
        {
            text = text[..^(text.EndsWith("\r\n", StringComparison.Ordinal) ? 2 : 1)];
        }

        return text.Length == 0 ? null : text;
    }
}
