namespace JobUtil.Tests.Input;

/// <summary>
/// A token must be something an HTTP header can carry. One that is not fails before anything is sent, with a message
/// that says what is wrong and never echoes the token.
/// </summary>
public class TokenCharacterTests
{
    private const string Secret = "eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoid3JpdGVyIn0.c2lnbmF0dXJl";

    private static IEnumerable<TestCaseData> Unusable()
    {
        yield return new TestCaseData("\uFEFF" + Secret, "byte-order mark").SetName("a byte-order mark in front");
        yield return new TestCaseData(Secret + "\n", "line break").SetName("a trailing line feed");
        yield return new TestCaseData(Secret + "\r\n", "line break").SetName("a trailing CRLF");
        yield return new TestCaseData(Secret.Insert(10, " "), "white space").SetName("a space inside");
        yield return new TestCaseData(Secret.Insert(10, "\u0007"), "control character").SetName("a control character");
        yield return new TestCaseData(Secret.Insert(10, "é"), "non-ASCII").SetName("a non-ASCII letter");
        yield return new TestCaseData(Secret.Insert(10, "\u00A0"), "non-ASCII").SetName("a no-break space");
    }

    [TestCaseSource(nameof(Unusable))]
    public void A_token_an_HTTP_header_cannot_carry_is_refused_by_the_constructor_without_echoing_it(string token, string what)
    {
        var error = Assert.Throws<ArgumentException>(() => new Job("my_etl_job", "https://jobs.example.com/jobs", "crm", "warehouse", token))!;

        Assert.That(error.ParamName, Is.EqualTo("auth"));
        Assert.That(error.Message, Does.Contain(what).And.Not.Contain(Secret.Substring(0, 20)));
    }

    [TestCaseSource(nameof(Unusable))]
    public void A_token_an_HTTP_header_cannot_carry_is_refused_in_options(string token, string what)
    {
        var options = new JobOptions { Url = "https://jobs.example.com/jobs", Source = "crm", Destination = "warehouse", Token = token };
        using var http = new HttpClient();

        var error = Assert.Throws<ArgumentException>(() => new Job("my_etl_job", options, http))!;

        Assert.That(error.Message, Does.Contain("Token").And.Contain(what).And.Not.Contain(Secret.Substring(0, 20)));
    }

    [Test]
    public void The_message_says_where_the_bad_character_is()
    {
        var error = Assert.Throws<ArgumentException>(() => new Job("my_etl_job", "https://jobs.example.com/jobs", "crm", "warehouse", "\uFEFF" + Secret))!;

        Assert.That(error.Message, Does.Contain("position 1 of " + (Secret.Length + 1)));
    }

    [Test]
    public void A_token_of_visible_ASCII_is_accepted()
    {
        using var job = new Job("my_etl_job", "https://jobs.example.com/jobs", "crm", "warehouse", Secret);

        Assert.That(job.Name, Is.EqualTo("my_etl_job"));
    }
}
