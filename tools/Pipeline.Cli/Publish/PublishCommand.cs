using System.CommandLine;
using System.Diagnostics;
using Pipeline.Host.Configuration;
using Spectre.Console;

namespace Pipeline.Cli.Publish;

/// <summary><c>publish</c>: builds the deployable app folder and zip for Azure Functions (custom handler, linux-x64).</summary>
internal static class PublishCommand
{
    public static Command Create()
    {
        var output = new Option<DirectoryInfo>("--output") { Description = "Where the app folder and zip go.", DefaultValueFactory = _ => new DirectoryInfo("artifacts") };
        var command = new Command("publish", "Publish the handler self-contained for linux-x64 and package the function app (artifacts/app, artifacts/app.zip).") { output };
        command.SetAction((result, cancellationToken) => RunAsync(result.GetValue(output)!, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(DirectoryInfo output, CancellationToken cancellationToken)
    {
        var root = RepositoryRoot.Find();
        var outputFolder = Path.IsPathRooted(output.ToString()) ? output.FullName : Path.Combine(root, output.ToString());
        var appFolder = Path.Combine(outputFolder, "app");
        var zipPath = Path.Combine(outputFolder, "app.zip");
        if (Directory.Exists(appFolder))
        {
            Directory.Delete(appFolder, recursive: true);
        }

        var exitCode = await AnsiConsole.Status().StartAsync("Publishing the handler (self-contained linux-x64)...", async _ =>
        {
            var start = new ProcessStartInfo("dotnet") { WorkingDirectory = root, UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var argument in new[]
            {
                "publish", Path.Combine("functions", "Pipeline.Host", "Pipeline.Host.csproj"),
                "-c", "Release", "-r", "linux-x64", "--self-contained", "true",
                "-o", Path.Combine(appFolder, AppPackage.HandlerFolder), "-nologo",
            })
            {
                start.ArgumentList.Add(argument);
            }

            using var process = Process.Start(start)!;
            var log = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var errors = process.StandardError.ReadToEndAsync(cancellationToken);
            await process.WaitForExitAsync(cancellationToken);
            if (process.ExitCode != 0)
            {
                Console.Error.WriteLine(await log);
                Console.Error.WriteLine(await errors);
            }

            return process.ExitCode;
        });
        if (exitCode != 0)
        {
            AnsiConsole.MarkupLine("[red]dotnet publish failed.[/]");
            return exitCode;
        }

        var functions = AppPackage.LayOut(root, appFolder);
        AnsiConsole.Status().Start("Zipping...", _ => AppPackage.Zip(appFolder, zipPath));
        AnsiConsole.MarkupLineInterpolated($"[green]Published[/] {functions.Count} functions ({string.Join(", ", functions)}).");
        AnsiConsole.MarkupLineInterpolated($"  app folder: {appFolder}");
        AnsiConsole.MarkupLineInterpolated($"  zip:        {zipPath} ({new FileInfo(zipPath).Length / (1024 * 1024)} MiB)");
        return 0;
    }
}
