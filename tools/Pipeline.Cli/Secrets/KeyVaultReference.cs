namespace Pipeline.Cli.Secrets;

/// <summary>
/// An app setting that is a Key Vault reference, as App Service and Functions resolve them:
/// <c>@Microsoft.KeyVault(SecretUri=https://{vault}.vault.azure.net/secrets/{name}[/{version}])</c> or
/// <c>@Microsoft.KeyVault(VaultName={vault};SecretName={name}[;SecretVersion={version}])</c>.
/// </summary>
internal sealed record KeyVaultReference(Uri VaultUri, string Name, string? Version)
{
    private const string Prefix = "@Microsoft.KeyVault(";

    /// <summary>The reference a setting holds; null for anything else (a literal secret, as in Local mode).</summary>
    public static KeyVaultReference? TryParse(string? setting)
    {
        var text = setting?.Trim();
        if (text is null || !text.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase) || !text.EndsWith(')'))
        {
            return null;
        }

        var parts = text[Prefix.Length..^1].Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(p => p.Split('=', 2))
            .Where(p => p.Length == 2)
            .ToDictionary(p => p[0].Trim(), p => p[1].Trim(), StringComparer.OrdinalIgnoreCase);
        if (parts.TryGetValue("SecretUri", out var secretUri))
        {
            if (!Uri.TryCreate(secretUri, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps)
            {
                return null;
            }

            var segments = uri.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries);
            return segments is ["secrets", var name, ..] && segments.Length <= 3
                ? new KeyVaultReference(new Uri(uri.GetLeftPart(UriPartial.Authority) + "/"), name, segments.Length == 3 ? segments[2] : null)
                : null;
        }

        return parts.TryGetValue("VaultName", out var vault) && parts.TryGetValue("SecretName", out var secretName) && vault.Length > 0 && secretName.Length > 0
            ? new KeyVaultReference(new Uri($"https://{vault}.vault.azure.net/"), secretName, parts.GetValueOrDefault("SecretVersion") is { Length: > 0 } version ? version : null)
            : null;
    }
}
