using Microsoft.Playwright;

namespace JobUtil.Report.Tests.Browser;

/// <summary>
/// One headless Chromium for the whole run: the system's (Debian's chromium package), driven by Playwright through
/// its executable path, so no browser is ever downloaded. Set JOBUTIL_CHROMIUM to use another binary.
/// </summary>
[SetUpFixture]
public sealed class Chromium
{
    private static IPlaywright? _playwright;
    private static IBrowser? _browser;

    public static IBrowser Browser => _browser ?? throw new InvalidOperationException("Chromium has not started.");

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        var path = Environment.GetEnvironmentVariable("JOBUTIL_CHROMIUM") is { Length: > 0 } configured ? configured : "/usr/bin/chromium";
        if (!File.Exists(path))
        {
            // Like the database tests: CI must run these, a developer without Chromium may skip them.
            var why = $"No Chromium at {path}: install Debian's chromium package (apt-get install chromium) or set JOBUTIL_CHROMIUM.";
            if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
            {
                Assert.Fail(why);
            }

            Assert.Ignore(why);
        }

        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = path,
            Headless = true,
            // Chromium refuses to start its sandbox as root, which is how CI runs.
            Args = Environment.UserName == "root" ? ["--no-sandbox"] : [],
        });
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
    }
}
