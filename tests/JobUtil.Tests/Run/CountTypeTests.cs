using JobUtil.Tests.Support;

namespace JobUtil.Tests.Run;

/// <summary>
/// RunAsync records the count of a body of any integer type, nullable or not, given as a lambda or as a method group:
/// no body binds to the count-less overload unless it returns a plain Task.
/// </summary>
public sealed class CountTypeTests : ApiFixture
{
    private static IEnumerable<TestCaseData> Bodies()
    {
        // Each as a lambda and as a method group: the two bind by different rules.
        yield return Case("long lambda", job => job.RunAsync((s, c) => Task.FromResult(7L)));
        yield return Case("long method group", job => job.RunAsync(LongAsync));
        yield return Case("long? lambda", job => job.RunAsync((s, c) => Task.FromResult<long?>(7)));
        yield return Case("long? method group", job => job.RunAsync(NullableLongAsync));
        yield return Case("int lambda", job => job.RunAsync((s, c) => Task.FromResult(7)));
        yield return Case("int method group", job => job.RunAsync(IntAsync));
        yield return Case("int? lambda", job => job.RunAsync((s, c) => Task.FromResult<int?>(7)));
        yield return Case("int? method group", job => job.RunAsync(NullableIntAsync));
        yield return Case("short lambda", job => job.RunAsync((s, c) => Task.FromResult((short)7)));
        yield return Case("short method group", job => job.RunAsync(ShortAsync));
        yield return Case("short? lambda", job => job.RunAsync((s, c) => Task.FromResult<short?>(7)));
        yield return Case("short? method group", job => job.RunAsync(NullableShortAsync));
        yield return Case("ushort lambda", job => job.RunAsync((s, c) => Task.FromResult((ushort)7)));
        yield return Case("ushort? lambda", job => job.RunAsync((s, c) => Task.FromResult<ushort?>(7)));
        yield return Case("byte lambda", job => job.RunAsync((s, c) => Task.FromResult((byte)7)));
        yield return Case("byte? lambda", job => job.RunAsync((s, c) => Task.FromResult<byte?>(7)));
        yield return Case("sbyte lambda", job => job.RunAsync((s, c) => Task.FromResult((sbyte)7)));
        yield return Case("sbyte? lambda", job => job.RunAsync((s, c) => Task.FromResult<sbyte?>(7)));
        yield return Case("uint lambda", job => job.RunAsync((s, c) => Task.FromResult(7u)));
        yield return Case("uint method group", job => job.RunAsync(UIntAsync));
        yield return Case("uint? lambda", job => job.RunAsync((s, c) => Task.FromResult<uint?>(7)));
        yield return Case("uint? method group", job => job.RunAsync(NullableUIntAsync));
        yield return Case("ulong lambda", job => job.RunAsync((s, c) => Task.FromResult(7UL)));
        yield return Case("ulong? lambda", job => job.RunAsync((s, c) => Task.FromResult<ulong?>(7)));
        yield return Case("async lambda returning an int literal", job => job.RunAsync(async (s, c) =>
        {
            await Task.Yield();
            return 7;
        }));
        yield return Case("async lambda returning a long?", job => job.RunAsync(async (s, c) =>
        {
            await Task.Yield();
            return (long?)7;
        }));
    }

    [TestCaseSource(nameof(Bodies))]
    public async Task The_count_is_recorded(Func<Job, Task> run)
    {
        using var job = NewJob();

        await run(job);

        Assert.That(Row.Status, Is.EqualTo("success"));
        Assert.That(Row.RecordsProcessed, Is.EqualTo(7));
    }

    [Test]
    public async Task A_nullable_count_that_is_null_records_success_without_one()
    {
        using var job = NewJob();

        long? count = await job.RunAsync((s, c) => Task.FromResult<long?>(null));

        Assert.That(count, Is.Null);
        Assert.That(Row.Status, Is.EqualTo("success"));
        Assert.That(Row.RecordsProcessed, Is.Null);
    }

    [Test]
    public async Task The_overload_returns_the_bodys_own_type()
    {
        using var job = NewJob();

        long? nullable = await job.RunAsync(NullableLongAsync);
        uint unsigned = await job.RunAsync(UIntAsync);

        Assert.That((nullable, unsigned), Is.EqualTo(((long?)7, 7u)));
    }

    [Test]
    public void An_unsigned_count_beyond_the_column_is_recorded_as_an_error()
    {
        using var job = NewJob();

        Assert.ThrowsAsync<InvalidOperationException>(() => job.RunAsync((s, c) => Task.FromResult(ulong.MaxValue)));

        Assert.That(Row.Status, Is.EqualTo("error"));
    }

    private static TestCaseData Case(string name, Func<Job, Task> run) => new TestCaseData(run).SetArgDisplayNames(name);

    private static Task<long> LongAsync(DateTimeOffset? since, CancellationToken cancellationToken) => Task.FromResult(7L);

    private static Task<long?> NullableLongAsync(DateTimeOffset? since, CancellationToken cancellationToken) => Task.FromResult<long?>(7);

    private static Task<int> IntAsync(DateTimeOffset? since, CancellationToken cancellationToken) => Task.FromResult(7);

    private static Task<int?> NullableIntAsync(DateTimeOffset? since, CancellationToken cancellationToken) => Task.FromResult<int?>(7);

    private static Task<short> ShortAsync(DateTimeOffset? since, CancellationToken cancellationToken) => Task.FromResult((short)7);

    private static Task<short?> NullableShortAsync(DateTimeOffset? since, CancellationToken cancellationToken) => Task.FromResult<short?>(7);

    private static Task<uint> UIntAsync(DateTimeOffset? since, CancellationToken cancellationToken) => Task.FromResult(7u);

    private static Task<uint?> NullableUIntAsync(DateTimeOffset? since, CancellationToken cancellationToken) => Task.FromResult<uint?>(7);
}
