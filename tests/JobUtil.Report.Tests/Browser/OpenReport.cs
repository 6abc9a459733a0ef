using JobUtil.Reporting;
using Microsoft.Playwright;

namespace JobUtil.Report.Tests.Browser;

/// <summary>
/// A report written to a file and opened from its file:// URL in a fresh browser context, with everything the page
/// did that a test may want to assert on: dialogs opened, console errors, requests made.
/// </summary>
public sealed class OpenReport : IAsyncDisposable
{
    private readonly IBrowserContext _context;

    private OpenReport(IBrowserContext context, IPage page, string path)
    {
        _context = context;
        Page = page;
        Path = path;
    }

    public IPage Page { get; }

    public string Path { get; }

    /// <summary>The messages of every alert, confirm or prompt the page opened: none, unless injected script ran.</summary>
    public List<string> Dialogs { get; } = [];

    /// <summary>Console errors, such as a Content-Security-Policy violation.</summary>
    public List<string> ConsoleErrors { get; } = [];

    /// <summary>Every URL the page requested, its own included.</summary>
    public List<string> Requests { get; } = [];

    public static async Task<OpenReport> OpenAsync(JobRunsReport report, string? timezoneId = null, int width = 1400)
    {
        var directory = System.IO.Path.Combine(TestContext.CurrentContext.WorkDirectory, "reports");
        Directory.CreateDirectory(directory);
        var path = System.IO.Path.Combine(directory, Safe(TestContext.CurrentContext.Test.Name) + ".html");
        await File.WriteAllTextAsync(path, JobRunsReportHtml.Render(report));

        var context = await Chromium.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            TimezoneId = timezoneId ?? "UTC",
            Locale = "en-US",
            ViewportSize = new ViewportSize { Width = width, Height = 900 },
        });
        var page = await context.NewPageAsync();
        var open = new OpenReport(context, page, path);
        page.Dialog += (_, dialog) =>
        {
            open.Dialogs.Add(dialog.Message);
            _ = dialog.DismissAsync();
        };
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                open.ConsoleErrors.Add(message.Text);
            }
        };
        page.PageError += (_, error) => open.ConsoleErrors.Add(error);
        page.Request += (_, request) => open.Requests.Add(request.Url);
        await page.GotoAsync(new Uri(path).AbsoluteUri, new PageGotoOptions { WaitUntil = WaitUntilState.Load });
        return open;
    }

    /// <summary>
    /// Saves a screenshot beside the test's results: of the whole page, or, with <paramref name="scrollTo"/>, of the
    /// window scrolled to that element.
    /// </summary>
    public async Task AttachScreenshotAsync(string description, string? scrollTo = null)
    {
        var file = System.IO.Path.ChangeExtension(Path, scrollTo is null ? ".png" : ".scrolled.png");
        if (scrollTo is not null)
        {
            await Page.EvalOnSelectorAsync(scrollTo, "e => e.scrollIntoView()");
        }

        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = file, FullPage = scrollTo is null });
        TestContext.AddTestAttachment(file, description);
    }

    public async ValueTask DisposeAsync() => await _context.DisposeAsync();

    private static string Safe(string name) => string.Concat(name.Select(c => char.IsLetterOrDigit(c) ? c : '_'));
}
