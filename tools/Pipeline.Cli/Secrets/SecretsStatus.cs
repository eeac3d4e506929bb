using System.Globalization;
using Azure;
using Azure.Core;
using Azure.Security.KeyVault.Secrets;
using Pipeline.Core.Configuration;
using Pipeline.Core.Webhooks;
using Pipeline.Core.Reports;
using Spectre.Console;
using Pipeline.Azure.Resilience;

namespace Pipeline.Cli.Secrets;

/// <summary>
/// <c>secrets status</c>: per tenant and vendor, the webhook secrets configured and how old each is. Ages come
/// from Key Vault's attributes of the version a Key Vault reference resolves to (its creation time; each secret
/// name holds one value for its whole life), read without ever fetching a value. A literal secret (Local mode)
/// has no recorded age: it is reported unknown and never flagged on a guess.
/// </summary>
internal static class SecretsStatus
{
    /// <summary>Nothing flagged.</summary>
    public const int Healthy = 0;

    /// <summary>A secret is older than the rotation period, missing, or a tenant has been mid-rotation for over a week.</summary>
    public const int Flagged = 1;

    /// <summary>No tenants configured.</summary>
    public const int BadConfiguration = 2;

    /// <summary>Nothing flagged, but Key Vault could not be read for some age.</summary>
    public const int Unreadable = 3;

    /// <summary>How long two secrets may both be configured before the rotation counts as left half-done.</summary>
    public static readonly TimeSpan MidRotationLimit = TimeSpan.FromDays(7);

    /// <summary>Reads every secret's age and prints the report; returns the exit code.</summary>
    public static async Task<int> RunAsync(PipelineOptions options, WebhookOptions webhooks, Func<Uri, SecretClient> clientFor, TimeProvider timeProvider, IAnsiConsole console, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(webhooks);
        if (options.Tenants.Count == 0)
        {
            console.MarkupLine("[red]No tenants are configured (Pipeline:Tenants).[/]");
            return BadConfiguration;
        }

        var now = timeProvider.GetUtcNow();
        var rotation = TimeSpan.FromDays(webhooks.RotationDays);
        var table = new Table().AddColumn("Tenant").AddColumn("Vendor").AddColumn("Secret").AddColumn("Held in").AddColumn(new TableColumn("Age").RightAligned()).AddColumn("Status");
        var flagged = 0;
        var unreadable = 0;
        foreach (var (tenant, tenantOptions) in options.Tenants.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            foreach (var (vendor, vendorOptions) in tenantOptions.Vendors.OrderBy(v => v.Key, StringComparer.Ordinal))
            {
                var ages = new List<SecretAge>();
                for (var index = 0; index < vendorOptions.Secrets.Count; index++)
                {
                    var age = await ReadAsync(vendorOptions.Secrets[index], index, clientFor, now, cancellationToken);
                    ages.Add(age);
                    var status = age switch
                    {
                        { Problem: { } problem, Missing: true } => Flag($"missing in Key Vault ({problem})"),
                        { Problem: { } problem } => Note($"age could not be read ({problem})"),
                        { Age: { } known } when known > rotation => Flag($"older than {webhooks.RotationDays} days: rotate"),
                        { Age: not null } => "ok",
                        _ => "age unknown (not a Key Vault reference)",
                    };
                    table.AddRow(Text(tenant), Text(vendor), Text(age.Label), Text(age.HeldIn), Text(age.Age is { } a ? Days(a) : "unknown"), Text(status));
                }

                if (vendorOptions.Secrets.Count == 0)
                {
                    table.AddRow(Text(tenant), Text(vendor), Text("-"), Text("-"), Text("-"), Text(Flag("no secret configured: every webhook is refused")));
                }
                else if (ages.Count > 1)
                {
                    var (since, status, overdue) = MidRotation([.. ages.Select(a => a.Age)]);
                    table.AddRow(Text(tenant), Text(vendor), Text("(all)"), Text("-"), Text(since is { } d ? Days(d) : "unknown"), Text(overdue ? Flag(status) : status));
                }
            }
        }

        console.Write(table);
        console.MarkupLineInterpolated($"Rotation period {webhooks.RotationDays} days; mid-rotation limit {MidRotationLimit.TotalDays:0} days. {flagged} flagged.");
        return flagged > 0 ? Flagged : unreadable > 0 ? Unreadable : Healthy;

        string Flag(string reason)
        {
            flagged++;
            return "FLAG: " + reason;
        }

        string Note(string reason)
        {
            unreadable++;
            return reason;
        }
    }

    /// <summary>One <see cref="SecretClient"/> per vault, made on first use with <paramref name="credential"/>: what <c>clientFor</c> takes.</summary>
    public static Func<Uri, SecretClient> ClientsFor(TokenCredential credential)
    {
        var clients = new Dictionary<Uri, SecretClient>();
        return vault => clients.TryGetValue(vault, out var client) ? client : clients[vault] = new SecretClient(vault, credential);
    }

    /// <summary>
    /// The tenant's secrets per vendor for the compliance report: ages read as <c>secrets status</c> reads them
    /// (Key Vault attributes, never a value) and one status line per vendor.
    /// </summary>
    public static async Task<IReadOnlyList<SecretRotation>> ForReportAsync(PipelineOptions options, WebhookOptions webhooks, string tenant, Func<Uri, SecretClient> clientFor, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(webhooks);
        if (!options.Tenants.TryGetValue(tenant, out var tenantOptions))
        {
            return [];
        }

        var rotations = new List<SecretRotation>();
        var rotation = TimeSpan.FromDays(webhooks.RotationDays);
        foreach (var (vendor, vendorOptions) in tenantOptions.Vendors.OrderBy(v => v.Key, StringComparer.Ordinal))
        {
            var ages = new List<SecretAge>();
            for (var index = 0; index < vendorOptions.Secrets.Count; index++)
            {
                ages.Add(await ReadAsync(vendorOptions.Secrets[index], index, clientFor, now, cancellationToken));
            }

            // The same rules as the table above, one line per vendor.
            var status = ages switch
            {
                [] => "no secret configured: every webhook is refused",
                _ when ages.Any(a => a.Missing) => "a secret is missing in Key Vault",
                _ when ages.Any(a => a.Age > rotation) => $"older than {webhooks.RotationDays} days: rotate",
                [_, _, ..] => MidRotation([.. ages.Select(a => a.Age)]).Status,
                _ when ages.All(a => a.Age is not null) => "ok",
                _ => "age unknown (a literal value, or Key Vault could not be read)",
            };
            rotations.Add(new SecretRotation(vendor, ages.Count, [.. ages.Select(a => a.Age is { } age ? (int?)age.TotalDays : null)], webhooks.RotationDays, status));
        }

        return rotations;
    }

    /// <summary>
    /// A vendor with several secrets is mid-rotation since the newest was added, which is known only when every age
    /// is; past <see cref="MidRotationLimit"/> the rotation counts as left half-done (overdue).
    /// </summary>
    private static (TimeSpan? Since, string Status, bool Overdue) MidRotation(IReadOnlyList<TimeSpan?> ages)
    {
        var since = ages.All(a => a is not null) ? ages.Min() : null;
        return since switch
        {
            { } s when s > MidRotationLimit => (s, $"{ages.Count} secrets for {Days(s)}: finish the rotation", true),
            { } s => (s, $"{ages.Count} secrets for {Days(s)} (rotation in progress)", false),
            null => (null, $"{ages.Count} secrets; since when is unknown", false),
        };
    }

    /// <summary>The age of one configured secret; never its value.</summary>
    private static async Task<SecretAge> ReadAsync(string setting, int index, Func<Uri, SecretClient> clientFor, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var label = string.Create(CultureInfo.InvariantCulture, $"#{index}");
        if (KeyVaultReference.TryParse(setting) is not { } reference)
        {
            return new SecretAge(label, "configuration (literal value)", null, null, Missing: false);
        }

        var heldIn = $"Key Vault {reference.VaultUri.Host}: {reference.Name}";
        try
        {
            SecretProperties? used = null;
            await foreach (var version in clientFor(reference.VaultUri).GetPropertiesOfSecretVersionsAsync(reference.Name, cancellationToken))
            {
                // A versionless reference resolves to the current (newest) version.
                if (reference.Version is { } wanted ? version.Version == wanted : used is null || version.CreatedOn > used.CreatedOn)
                {
                    used = version;
                }
            }

            return used switch
            {
                null => new SecretAge(label, heldIn, null, "no such version", Missing: true),
                { Enabled: false } => new SecretAge(label, heldIn, null, "the version in use is disabled", Missing: true),
                { CreatedOn: { } created } => new SecretAge(label, heldIn, now - created, null, Missing: false),
                _ => new SecretAge(label, heldIn, null, "no creation time recorded", Missing: false),
            };
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return new SecretAge(label, heldIn, null, "not found", Missing: true);
        }
        catch (Exception e) when (TransientFailure.Is(e, cancellationToken))
        {
            return new SecretAge(label, heldIn, null, e is RequestFailedException failed ? $"Key Vault answered {failed.Status}" : "not signed in to Azure", Missing: false);
        }
    }

    private static string Days(TimeSpan age) => string.Create(CultureInfo.InvariantCulture, $"{Math.Floor(age.TotalDays):0} days");

    private static Text Text(string value) => new(value);

    private sealed record SecretAge(string Label, string HeldIn, TimeSpan? Age, string? Problem, bool Missing);
}
