namespace JobUtil.Tests.Fleet;

public class JobDurationTests
{
    private static IEnumerable<TestCaseData> Valid()
    {
        yield return new TestCaseData("90s", TimeSpan.FromSeconds(90));
        yield return new TestCaseData("45m", TimeSpan.FromMinutes(45));
        yield return new TestCaseData("26h", TimeSpan.FromHours(26));
        yield return new TestCaseData("7d", TimeSpan.FromDays(7));
        yield return new TestCaseData("PT26H", TimeSpan.FromHours(26));
        yield return new TestCaseData("pt45m", TimeSpan.FromMinutes(45));
        yield return new TestCaseData("P1DT2H", TimeSpan.FromHours(26));
        yield return new TestCaseData("P2W", TimeSpan.FromDays(14));
        yield return new TestCaseData("PT1.5S", TimeSpan.FromSeconds(1.5));
        yield return new TestCaseData(" 26h ", TimeSpan.FromHours(26));
    }

    [TestCaseSource(nameof(Valid))]
    public void Accepts_a_number_with_a_unit_and_ISO_8601(string text, TimeSpan expected)
    {
        Assert.Multiple(() =>
        {
            Assert.That(JobDuration.TryParse(text, out var value), Is.True);
            Assert.That(value, Is.EqualTo(expected));
            Assert.That(JobDuration.Parse(text), Is.EqualTo(expected));
        });
    }

    [TestCase("")]
    [TestCase("26")]
    [TestCase("h")]
    [TestCase("-5m")]
    [TestCase("0s")]
    [TestCase("1.5h")]
    [TestCase("26 hours")]
    [TestCase("26H")]
    [TestCase("P")]
    [TestCase("PT")]
    [TestCase("P1DT")]
    [TestCase("P1Y")]
    [TestCase("P1M")]
    [TestCase("PT0S")]
    [TestCase("tomorrow")]
    public void Refuses_anything_else_with_the_accepted_forms(string text)
    {
        Assert.That(JobDuration.TryParse(text, out _), Is.False);
        var error = Assert.Throws<FormatException>(() => JobDuration.Parse(text));
        Assert.That(error!.Message, Does.Contain(JobDuration.AcceptedForms).And.Contain($"'{text}'"));
    }

    [Test]
    public void Refuses_null()
        => Assert.That(JobDuration.TryParse(null, out _), Is.False);

    [TestCase(90, "1m 30s")]
    [TestCase(26 * 3600, "1d 2h")]
    [TestCase(3 * 3600 + 5, "3h")]
    [TestCase(12, "12s")]
    [TestCase(0, "0s")]
    [TestCase(-120, "-2m")]
    public void Formats_in_its_two_largest_units(int seconds, string expected)
        => Assert.That(JobDuration.Format(TimeSpan.FromSeconds(seconds)), Is.EqualTo(expected));
}
