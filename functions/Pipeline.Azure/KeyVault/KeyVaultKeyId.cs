using System.Diagnostics.CodeAnalysis;

namespace Pipeline.Azure.KeyVault;

/// <summary>A Key Vault key identifier: <c>https://{vault}/keys/{name}[/{version}]</c>.</summary>
/// <param name="VaultUri">The vault, e.g. <c>https://contoso.vault.azure.net/</c>.</param>
/// <param name="Name">The key name.</param>
/// <param name="Version">The version; null for the versionless id, which means the current version.</param>
public sealed record KeyVaultKeyId(Uri VaultUri, string Name, string? Version)
{
    /// <summary>The identifier as Key Vault writes it (<c>kid</c>).</summary>
    public Uri Id => new(VaultUri, Version is null ? $"keys/{Name}" : $"keys/{Name}/{Version}");

    /// <summary>Parses a key id; false for anything that is not an https Key Vault key URI.</summary>
    public static bool TryParse(string? keyId, [NotNullWhen(true)] out KeyVaultKeyId? parsed)
    {
        parsed = null;
        if (!Uri.TryCreate(keyId, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps || !string.IsNullOrEmpty(uri.Query))
        {
            return false;
        }

        var segments = uri.AbsolutePath.Trim('/').Split('/');
        if (segments.Length is < 2 or > 3 || segments[0] != "keys" || segments.Any(string.IsNullOrEmpty))
        {
            return false;
        }

        parsed = new KeyVaultKeyId(new Uri(uri.GetLeftPart(UriPartial.Authority) + "/"), segments[1], segments.Length == 3 ? segments[2] : null);
        return true;
    }

    public override string ToString() => Id.AbsoluteUri;
}
