namespace JobUtil.Testing;

/// <summary>Which PostgREST versions the fake behaves like, where their wire behaviour differs.</summary>
public enum PostgrestEra
{
    /// <summary>
    /// v13 and later (the default): a PATCH that matches nothing is <c>200 []</c>; every error body has
    /// <c>code</c>, <c>message</c>, <c>details</c> and <c>hint</c> plus a <c>Proxy-Status</c> header; an expired JWT is
    /// <c>PGRST303</c>; an unknown table is <c>PGRST205</c>; an unknown column in a body is <c>PGRST204</c>.
    /// </summary>
    Modern = 0,

    /// <summary>v10.1 to v12: as <see cref="Modern"/>, but an expired JWT is <c>PGRST301</c>, no <c>Proxy-Status</c>, unknown table <c>42P01</c>.</summary>
    V10_1 = 1,

    /// <summary>v10.0: as <see cref="V10_1"/>, but a PATCH that matches nothing is <c>404</c>, an unknown body column is <c>42703</c>, and an unknown <c>Accept</c> is <c>415</c>.</summary>
    V10_0 = 2,

    /// <summary>v8 and v9: as <see cref="V10_0"/>, but PostgREST's own errors (JWT, JSON, Accept) carry only <c>message</c>.</summary>
    V8 = 3,

    /// <summary>v6 and v7: as <see cref="V8"/>, and a POST is answered with <c>Location: /jobs?id=eq.N</c>.</summary>
    V6 = 4,
}
