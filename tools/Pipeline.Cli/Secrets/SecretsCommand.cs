using System.CommandLine;
using Azure.Identity;
using Azure.Security.KeyVault.Secrets;
using Pipeline.Cli.Local;
using Pipeline.Core.Configuration;
using Pipeline.Core.Webhooks;
using Pipeline.Host.Configuration;
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
            if (!CliServices.TryBuild(CliSettings.Load(RepositoryRoot.Find()), AnsiConsole.Console, out var services))
            {
                return SecretsStatus.BadConfiguration;
            }

            await using var __ = services;
            var credential = new DefaultAzureCredential();
            var clients = new Dictionary<Uri, SecretClient>();
            return await SecretsStatus.RunAsync(
                services.Get<PipelineOptions>(), services.Get<WebhookOptions>(), vault => clients.TryGetValue(vault, out var client) ? client : clients[vault] = new SecretClient(vault, credential), TimeProvider.System, AnsiConsole.Console, cancellationToken);
        });
        return new Command("secrets", "Webhook secret operations.") { status };
    }
}
