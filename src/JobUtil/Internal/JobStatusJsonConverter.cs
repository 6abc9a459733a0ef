using System.Text.Json;
using System.Text.Json.Serialization;

namespace JobUtil.Internal;

/// <summary>Reads and writes <see cref="JobStatus"/> as its wire string; known values reuse their instances' text.</summary>
internal sealed class JobStatusJsonConverter : JsonConverter<JobStatus>
{
    public override JobStatus Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new JsonException($"Expected a string for a job status, found {reader.TokenType}.");
        }

        if (reader.ValueTextEquals("success"u8))
        {
            return JobStatus.Success;
        }

        if (reader.ValueTextEquals("in_progress"u8))
        {
            return JobStatus.InProgress;
        }

        if (reader.ValueTextEquals("error"u8))
        {
            return JobStatus.Error;
        }

        var text = reader.GetString();
        return string.IsNullOrWhiteSpace(text)
            ? throw new JsonException("A job status must be a non-empty string.")
            : new JobStatus(text!);
    }

    public override void Write(Utf8JsonWriter writer, JobStatus value, JsonSerializerOptions options)
        => writer.WriteStringValue(value.Value);
}
