#if !NET
using System.Security.Cryptography;
#endif

namespace JobUtil.Internal;

/// <summary>
/// How a start recognises its own row after its response was lost: by its run key where the table has the
/// <c>run_key</c> column, otherwise only by a <c>start_date</c> that no other start of this process sent and that the
/// column keeps exactly.
/// </summary>
internal static class StartIdentity
{
    // The start dates this process sent lately to tables without run_key, so that two of its starts never send the same
    // instant. Only starts whose lookups can overlap need to differ, so the most recent few thousand are enough.
    private const int RecentCapacity = 4096;
    private static readonly object Gate = new();
    private static readonly HashSet<long> Issued = [];
    private static readonly Queue<long> Recent = new();

    /// <summary>A fresh run key: a time-ordered (version 7) uuid, so keys of later starts sort later in the index.</summary>
    public static Guid NewKey()
    {
#if NET
        return Guid.CreateVersion7();
#else
        var random = new byte[10];
        using (var generator = RandomNumberGenerator.Create())
        {
            generator.GetBytes(random);
        }

        // RFC 9562: 48 bits of Unix milliseconds, the version (7), 12 random bits, the variant (10), 62 random bits.
        var milliseconds = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var d = new byte[8];
        d[0] = (byte)(0x80 | (random[2] & 0x3F));
        Array.Copy(random, 3, d, 1, 7);
        return new Guid(
            (int)(milliseconds >> 16),
            (short)(milliseconds & 0xFFFF),
            (short)(0x7000 | ((random[0] & 0x0F) << 8) | random[1]),
            d);
#endif
    }

    /// <summary>
    /// The start date to send to a table without <c>run_key</c>: <paramref name="start"/> moved forward by the fewest
    /// microseconds that make it (1) end in a microsecond digit other than 0, so that a column coarser than microseconds
    /// can never store it exactly and an exact match proves the column kept it, and (2) differ from every start date this
    /// process sent lately, so that no two of its own starts can be mistaken for each other.
    /// </summary>
    public static DateTimeOffset DistinctStartDate(DateTimeOffset start)
    {
        var micros = start.UtcTicks / 10;
        lock (Gate)
        {
            while (micros % 10 == 0 || Issued.Contains(micros))
            {
                micros++;
            }

            Issued.Add(micros);
            Recent.Enqueue(micros);
            if (Recent.Count > RecentCapacity)
            {
                Issued.Remove(Recent.Dequeue());
            }
        }

        return new DateTimeOffset(micros * 10, TimeSpan.Zero);
    }

    /// <summary>
    /// Whether <paramref name="stored"/> is <paramref name="sent"/> as a <c>start_date</c> column of some precision
    /// (<c>timestamptz(0)</c> to <c>timestamptz(6)</c>) stores it.
    /// </summary>
    public static bool CouldBeStored(DateTimeOffset stored, DateTimeOffset sent)
    {
        for (var precision = 0; precision <= 6; precision++)
        {
            if (Round(sent, precision) == stored)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Whether the column that rendered <paramref name="stored"/> keeps microseconds: its last microsecond digit is not 0,
    /// which no coarser column can store.
    /// </summary>
    public static bool ShowsMicroseconds(DateTimeOffset stored) => stored.UtcTicks / 10 % 10 != 0;

    /// <summary>
    /// <paramref name="value"/> as a <c>timestamptz(<paramref name="precision"/>)</c> stores it: PostgreSQL rounds the
    /// microseconds since 2000-01-01 half away from that epoch.
    /// </summary>
    public static DateTimeOffset Round(DateTimeOffset value, int precision)
    {
        var epoch = new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero).UtcTicks;
        var micros = (value.UtcTicks - epoch) / 10;
        long scale = 1;
        for (var i = precision; i < 6; i++)
        {
            scale *= 10;
        }

        var rounded = micros >= 0
            ? (micros + (scale / 2)) / scale * scale
            : -((-micros + (scale / 2)) / scale * scale);
        return new DateTimeOffset(epoch + (rounded * 10), TimeSpan.Zero);
    }
}
