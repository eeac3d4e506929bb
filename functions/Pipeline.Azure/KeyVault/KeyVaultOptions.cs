namespace Pipeline.Azure.KeyVault;

/// <summary>The key-encryption key.</summary>
public sealed class KeyVaultOptions
{
    /// <summary>The configuration section it is bound from.</summary>
    public const string SectionName = "Pipeline:KeyVault";

    /// <summary>Versionless key URI, e.g. <c>https://vault.vault.azure.net/keys/transcripts</c>.</summary>
    public string? KeyId { get; set; }

    /// <summary>Local mode: the key file; default <c>.data/keys/local-kek.json</c> under the repository.</summary>
    public string? LocalKeyFile { get; set; }
}
