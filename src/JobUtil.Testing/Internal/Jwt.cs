using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace JobUtil.Testing.Internal;

/// <summary>HS256 JSON Web Tokens: minted for tests, verified as PostgREST verifies them.</summary>
internal static class Jwt
{
    public static string Create(string secret, string role, DateTimeOffset? expires)
    {
        var header = Base64Url("{\"alg\":\"HS256\",\"typ\":\"JWT\"}"u8.ToArray());
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("role", role);
            if (expires is { } exp)
            {
                writer.WriteNumber("exp", exp.ToUnixTimeSeconds());
            }

            writer.WriteEndObject();
        }

        var payload = Base64Url(buffer.ToArray());
        return $"{header}.{payload}.{Sign(secret, header, payload)}";
    }

    /// <summary>The token's <c>role</c> claim (null when it has none), or a <see cref="PgError"/> like PostgREST's.</summary>
    public static string? Verify(string token, string secret, DateTimeOffset now, PostgrestEra era)
    {
        var parts = token.Split('.');
        if (parts.Length != 3)
        {
            throw Invalid($"JWSError (CompactDecodeError Invalid number of parts: Expected 3 parts; got {parts.Length})");
        }

        JsonDocument header;
        JsonDocument payload;
        byte[] signature;
        try
        {
            header = JsonDocument.Parse(FromBase64Url(parts[0]));
            payload = JsonDocument.Parse(FromBase64Url(parts[1]));
            signature = FromBase64Url(parts[2]);
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            throw Invalid("JWSError (CompactDecodeError Invalid base64url or JSON)");
        }

        using (header)
        using (payload)
        {
            if (!header.RootElement.TryGetProperty("alg", out var alg) || alg.ValueKind != JsonValueKind.String || alg.GetString() != "HS256")
            {
                throw Invalid("JWSError JWSInvalidSignature");
            }

            var expected = Convert.FromBase64String(ToBase64(Sign(secret, parts[0], parts[1])));
            if (!CryptographicOperations.FixedTimeEquals(expected, signature))
            {
                throw Invalid("JWSError JWSInvalidSignature");
            }

            var claims = payload.RootElement;
            if (claims.ValueKind != JsonValueKind.Object)
            {
                throw Invalid("Parsing claims failed");
            }

            if (claims.TryGetProperty("exp", out var exp) && exp.TryGetDouble(out var seconds) && seconds <= now.ToUnixTimeSeconds())
            {
                throw Expired(era);
            }

            return claims.TryGetProperty("role", out var role) && role.ValueKind == JsonValueKind.String ? role.GetString() : null;
        }
    }

    private static PgError Invalid(string message)
        => new(401, "PGRST301", message, own: true) { WwwAuthenticate = Challenge(message) };

    private static PgError Expired(PostgrestEra era)
    {
        var code = era switch
        {
            PostgrestEra.Modern => "PGRST303",
            PostgrestEra.V10_1 or PostgrestEra.V10_0 => "PGRST301",
            _ => null,
        };
        return new PgError(401, code, "JWT expired", own: true) { WwwAuthenticate = Challenge("JWT expired") };
    }

    private static string Challenge(string description)
        => $"Bearer error=\"invalid_token\", error_description=\"{description.Replace("\"", "'", StringComparison.Ordinal)}\"";

    private static string Sign(string secret, string header, string payload)
        => Base64Url(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.ASCII.GetBytes($"{header}.{payload}")));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static string ToBase64(string base64Url)
    {
        var text = base64Url.Replace('-', '+').Replace('_', '/');
        return text.PadRight(text.Length + ((4 - (text.Length % 4)) % 4), '=');
    }

    private static byte[] FromBase64Url(string base64Url) => Convert.FromBase64String(ToBase64(base64Url));
}
