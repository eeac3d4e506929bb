using System.CommandLine;
using Azure.Core;
using Pipeline.Cli.Local;
using Pipeline.Core.Configuration;
using Pipeline.Core.Webhooks;
using Spectre.Console;

namespace Pipeline.Cli.Secrets;

/// <summary><c>secrets status</c>: webhook secret ages and rotation state, for a person or a scheduled job (exit code 1 when flagged).</summary>
internal static class SecretsCommand
{
    public static Command Create()
    {
        var status = new Command(
            "status",
            "Per tenant and vendor: how many webhook secrets, how old each is (Key Vault attributes; unknown for literal values), flagging any older than Pipeline:Webhooks:RotationDays and rotations left half-done for over a week. Exit code 1 when anything is flagged, 3 when Key Vault could not be read.");
        status.SetAction(async (_, cancellationToken) =>
        {
            if (!CliServices.TryBuild(AnsiConsole.Console, out var services))
            {
                return SecretsStatus.BadConfiguration;
            }

            await using var __ = services;
            return await SecretsStatus.RunAsync(
                services.Get<PipelineOptions>(), services.Get<WebhookOptions>(), SecretsStatus.ClientsFor(services.Get<TokenCredential>()), TimeProvider.System, AnsiConsole.Console, cancellationToken);
        });
        return new Command("secrets", "Webhook secret operations.") { status };
    }
}
