using System.Text.Json;
using JobUtil.Internal;

namespace JobUtil.Tests.Input;

/// <summary>Rows from tables whose column types differ from the seed's are read wherever the value is unambiguous.</summary>
public class OddColumnTypeTests
{
    [Test]
    public void A_bigint_id_beyond_the_int_range_is_read()
    {
        var row = Read("""{"id":9007199254740993,"name":"n","start_date":"2024-06-01T12:00:00+00:00","end_date":null,"message":null,"status":"in_progress","records_processed":null,"source":"s","destination":"d"}""");

        Assert.That(row.Id, Is.EqualTo(9007199254740993L));
    }

    [Test]
    public void A_count_stored_as_text_is_read_as_a_number()
    {
        var row = Read("""{"id":1,"name":"n","start_date":"2024-06-01T12:00:00+00:00","end_date":"2024-06-01T12:05:00+00:00","message":null,"status":"success","records_processed":"503","source":"s","destination":"d"}""");

        Assert.That(row.RecordsProcessed, Is.EqualTo(503));
    }

    [Test]
    public void An_id_rendered_as_a_string_is_read()
    {
        var row = Read("""{"id":"42","name":"n","start_date":"2024-06-01T12:00:00+00:00","end_date":null,"message":null,"status":"in_progress","records_processed":null,"source":"s","destination":"d"}""");

        Assert.That(row.Id, Is.EqualTo(42));
    }

    [Test]
    public void Extra_columns_of_any_type_are_ignored()
    {
        var row = Read("""{"id":1,"name":"n","start_date":"2024-06-01T12:00:00+00:00","end_date":null,"message":null,"status":"in_progress","records_processed":null,"source":"s","destination":"d","owner":{"team":"bi"},"tags":["a"],"priority":3}""");

        Assert.That(row.Name, Is.EqualTo("n"));
    }

    [Test]
    public void A_count_that_is_not_a_number_is_still_an_error()
    {
        Assert.Throws<JsonException>(() => Read("""{"id":1,"name":"n","start_date":"2024-06-01T12:00:00+00:00","end_date":null,"message":null,"status":"success","records_processed":"many","source":"s","destination":"d"}"""));
    }

    private static JobRecord Read(string row) => JsonSerializer.Deserialize("[" + row + "]", JobsJsonContext.Default.JobRecordArray)![0];
}
