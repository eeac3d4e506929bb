using System.Diagnostics;

namespace Pipeline.Tests.Infrastructure;

/// <summary>
/// Debian's <c>chromium</c> run headless on a local file: the DOM after rendering, a screenshot, a PDF.
/// <c>.ci/run</c> installs it where missing; without it these tests fail saying so, never pass silently.
/// </summary>
internal static class HeadlessChromium
{
    private static readonly string[] Candidates = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"];

    /// <summary>The browser's path.</summary>
    public static string Path => Candidates.FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException("Headless Chromium is needed for the report tests: apt-get install chromium (.ci/run does).");

    /// <summary>The document's DOM as the browser serialises it after layout.</summary>
    public static Task<string> DumpDomAsync(string file) => RunAsync(file, "--dump-dom");

    /// <summary>A PNG screenshot of the first <paramref name="height"/> pixels at <paramref name="width"/> wide.</summary>
    public static async Task<byte[]> ScreenshotAsync(string file, int width, int height)
    {
        var png = System.IO.Path.ChangeExtension(file, ".png");
        await RunAsync(file, $"--screenshot={png}", $"--window-size={width},{height}", "--hide-scrollbars");
        return await File.ReadAllBytesAsync(png);
    }

    /// <summary>The document printed to PDF, as a browser's "Save as PDF" does.</summary>
    public static async Task<byte[]> PrintToPdfAsync(string file)
    {
        var pdf = System.IO.Path.ChangeExtension(file, ".pdf");
        await RunAsync(file, $"--print-to-pdf={pdf}", "--no-pdf-header-footer");
        return await File.ReadAllBytesAsync(pdf);
    }

    private static async Task<string> RunAsync(string file, params string[] arguments)
    {
        var profile = Directory.CreateTempSubdirectory("pipeline-chromium-").FullName;
        var start = new ProcessStartInfo(Path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
        foreach (var argument in (string[])["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
                     $"--user-data-dir={profile}", .. arguments, new Uri(file).AbsoluteUri])
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var errors = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await process.WaitForExitAsync(timeout.Token);
            Assert.True(process.ExitCode == 0, $"chromium exited {process.ExitCode}: {await errors}");
            return await output;
        }
        finally
        {
            Directory.Delete(profile, recursive: true);
        }
    }
}
