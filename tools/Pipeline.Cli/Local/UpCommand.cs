using System.CommandLine;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Pipeline.Core.Configuration;
using Pipeline.Host;
using Pipeline.Host.Configuration;
using Pipeline.Host.Local;
using Spectre.Console;

namespace Pipeline.Cli.Local;

/// <summary><c>up</c>: the whole pipeline on this machine (SPEC §6).</summary>
internal static class UpCommand
{
    private const string DevelopmentStorage = "UseDevelopmentStorage=true";

    public static Command Create()
    {
        var port = new Option<int>("--port") { Description = "Port the handler listens on.", DefaultValueFactory = _ => 7071 };
        var command = new Command("up", "Run the pipeline locally: Azurite, the handler in Local mode, the dispatcher and the timer.") { port };
        command.SetAction((result, cancellationToken) => RunAsync(result.GetValue(port), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(int port, CancellationToken cancellationToken)
    {
        var root = RepositoryRoot.Find();
        if (CliSettings.EnsureLocalSettings(root))
        {
            AnsiConsole.MarkupLine($"[green]Created {CliSettings.FileName}[/] with fresh secrets for tenant [bold]acme[/] (git-ignored).");
        }

        var configuration = CliSettings.Load(root);
        if (configuration.PipelineModeSetting() != PipelineMode.Local)
        {
            AnsiConsole.MarkupLine("[red]up runs Local mode only; set Pipeline__Mode=Local.[/]");
            return 2;
        }

        await using var azurite = await StartAzuriteAsync(root, configuration, cancellationToken);
        var url = $"http://127.0.0.1:{port}";
        WebApplication app;
        try
        {
            app = HandlerApp.Build([], builder =>
            {
                builder.WebHost.UseUrls(url);
                builder.Configuration.AddPipelineSettings(root);
            });
        }
        catch (Microsoft.Extensions.Options.OptionsValidationException e)
        {
            ReportInvalidConfiguration(e);
            return 2;
        }

        await using (app)
        {
            try
            {
                await app.StartAsync(cancellationToken);
            }
            catch (Microsoft.Extensions.Options.OptionsValidationException e)
            {
                ReportInvalidConfiguration(e);
                return 2;
            }

            PrintEndpoints(url, app.Services.GetService(typeof(PipelineOptions)) as PipelineOptions);
            AnsiConsole.MarkupLine("Press [bold]Ctrl+C[/] to stop.");
            try
            {
                await app.WaitForShutdownAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                // Ctrl+C: stop below.
            }

            AnsiConsole.MarkupLine("Stopping...");
            await app.StopAsync(CancellationToken.None);
        }

        return 0;
    }

    private static async Task<AzuriteProcess?> StartAzuriteAsync(string root, IConfiguration configuration, CancellationToken cancellationToken)
    {
        var connectionString = configuration["Pipeline:Storage:ConnectionString"];
        if (!string.Equals(connectionString?.Trim().TrimEnd(';'), DevelopmentStorage, StringComparison.OrdinalIgnoreCase))
        {
            AnsiConsole.MarkupLine("Storage is not the local development storage; not starting Azurite.");
            return null;
        }

        var settings = new AzuriteSettings(root, Path.Combine(root, ".data", "azurite"));
        return await AzuriteProcess.StartAsync(settings, message => AnsiConsole.MarkupLineInterpolated($"[grey]{message}[/]"), cancellationToken);
    }

    private static void PrintEndpoints(string url, PipelineOptions? options)
    {
        AnsiConsole.MarkupLine($"[green]Pipeline is up[/] in Local mode at [bold]{url}[/]");
        AnsiConsole.MarkupLine($"  health   GET  {url}/api/health");
        foreach (var (tenant, tenantOptions) in options?.Tenants ?? [])
        {
            foreach (var vendor in tenantOptions.Vendors.Keys)
            {
                AnsiConsole.MarkupLineInterpolated($"  webhook  POST {url}/api/webhooks/{vendor}/{tenant}");
            }
        }
    }

    private static void ReportInvalidConfiguration(Microsoft.Extensions.Options.OptionsValidationException e)
    {
        AnsiConsole.MarkupLine("[red]The configuration is not valid:[/]");
        foreach (var failure in e.Failures)
        {
            AnsiConsole.MarkupLineInterpolated($"  - {failure}");
        }
    }

    private static PipelineMode PipelineModeSetting(this IConfiguration configuration) =>
        Enum.TryParse<PipelineMode>(configuration["Pipeline:Mode"], ignoreCase: true, out var mode) ? mode : PipelineMode.Local;
}
