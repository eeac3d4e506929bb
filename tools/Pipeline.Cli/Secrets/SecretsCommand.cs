using System.CommandLine;
using Azure.Identity;
using Azure.Security.KeyVault.Secrets;
using Pipeline.Cli.Local;
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
        status.SetAction((_, cancellationToken) =>
        {
            var options = CliStorage.LoadOptions(CliSettings.Load(RepositoryRoot.Find()));
            var credential = new DefaultAzureCredential();
            var clients = new Dictionary<Uri, SecretClient>();
            return SecretsStatus.RunAsync(
                options, vault => clients.TryGetValue(vault, out var client) ? client : clients[vault] = new SecretClient(vault, credential), TimeProvider.System, AnsiConsole.Console, cancellationToken);
        });
        return new Command("secrets", "Webhook secret operations.") { status };
    }
}
