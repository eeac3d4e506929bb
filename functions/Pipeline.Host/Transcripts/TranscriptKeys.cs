using Azure.Core;
using Azure.Core.Cryptography;
using Pipeline.Azure.KeyVault;
using Pipeline.Azure.Transcripts;
using Pipeline.Core.Configuration;
using Pipeline.Core.Transcripts;
using Pipeline.Azure.Resilience;
using Pipeline.Host.Configuration;

namespace Pipeline.Host.Transcripts;

/// <summary>
/// The key-encryption key by mode, shared by the handler and the CLI so both open the same transcripts:
/// Local mode the RSA key file (<c>Pipeline:KeyVault:LocalKeyFile</c>, default <c>.data/keys/local-kek.json</c>),
/// Azure mode Key Vault over REST (<c>Pipeline:KeyVault:KeyId</c>, a versionless key URI) with the given credential.
/// </summary>
public static class TranscriptKeys
{
    public static IKeyEncryptionKeyResolver CreateResolver(PipelineMode mode, KeyVaultOptions options, Func<TokenCredential> credential, TimeProvider timeProvider) =>
        mode == PipelineMode.Local
            ? LocalKeyFile.OpenOrCreate(LocalKeyPath(options))
            : new KeyVaultKeyResolver(new KeyVaultKeyClient(VaultKey(options).VaultUri, credential(), new KeyVaultKeyClientOptions()), timeProvider);

    /// <summary>The versionless key id new data keys are wrapped under (its current version).</summary>
    public static string KeyId(PipelineMode mode, KeyVaultOptions options) =>
        mode == PipelineMode.Local ? LocalKeyFile.KeyName : VaultKey(options).ToString();

    public static TranscriptProtector CreateProtector(PipelineMode mode, KeyVaultOptions options, TranscriptOptions transcripts, IKeyEncryptionKeyResolver resolver)
    {
        ArgumentNullException.ThrowIfNull(transcripts);
        return new(resolver, KeyId(mode, options), transcripts.Compress ? TranscriptCompression.Brotli : TranscriptCompression.None);
    }

    /// <summary>
    /// When a key version a transcript is wrapped under was created: Key Vault's <c>attributes.created</c> of that
    /// version (null where it cannot be read). Local mode's key file has no rotation history: null.
    /// </summary>
    public static Func<string, CancellationToken, Task<DateTimeOffset?>>? CreatedLookup(PipelineMode mode, KeyVaultOptions options, Func<TokenCredential> credential)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (mode == PipelineMode.Local)
        {
            return null;
        }

        var client = new Lazy<KeyVaultKeyClient>(() => new KeyVaultKeyClient(VaultKey(options).VaultUri, credential(), new KeyVaultKeyClientOptions()));
        return async (keyId, cancellationToken) =>
        {
            if (!KeyVaultKeyId.TryParse(keyId, out var parsed) || parsed.Version is null || parsed.VaultUri != client.Value.VaultUri)
            {
                return null;
            }

            try
            {
                return (await client.Value.GetKeyAsync(parsed.Name, parsed.Version, cancellationToken).ConfigureAwait(false)).Created;
            }
            catch (Exception e) when (TransientFailure.Is(e, cancellationToken))
            {
                return null; // The report says "unknown" rather than failing for want of one date.
            }
        };
    }

    /// <summary>Where the Local mode key file is (or will be generated).</summary>
    public static string LocalKeyPath(KeyVaultOptions options) =>
        options?.LocalKeyFile is { Length: > 0 } path
            ? Path.GetFullPath(path)
            : Path.Combine(RepositoryRoot.Find(), ".data", "keys", "local-kek.json");

    private static KeyVaultKeyId VaultKey(KeyVaultOptions options) =>
        KeyVaultKeyId.TryParse(options.KeyId, out var keyId) && keyId.Version is null
            ? keyId
            : throw new InvalidOperationException("Pipeline:KeyVault:KeyId must be a versionless Key Vault key URI.");
}
