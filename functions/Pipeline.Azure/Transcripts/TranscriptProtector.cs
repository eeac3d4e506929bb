using System.Security.Cryptography;
using Azure;
using Azure.Core.Cryptography;
using Pipeline.Azure.KeyVault;
using Pipeline.Core.Transcripts;

namespace Pipeline.Azure.Transcripts;

/// <summary>A sealed transcript with its wrapped data key: everything that is stored.</summary>
/// <param name="KeyId">The versioned id of the key-encryption key that wrapped the data key.</param>
/// <param name="WrapAlgorithm">The wrap algorithm (<see cref="KeyWrapAlgorithm.RsaOaep256"/>).</param>
/// <param name="WrappedKey">The wrapped data key; deleting it crypto-shreds the transcript.</param>
/// <param name="Sealed">The envelope.</param>
public sealed record ProtectedTranscript(string KeyId, string WrapAlgorithm, ReadOnlyMemory<byte> WrappedKey, SealedTranscript Sealed);

/// <summary>
/// Envelope encryption: a fresh data key per transcript, wrapped by the key-encryption key (the current
/// version of <paramref name="keyId"/>, resolved through the <see cref="IKeyEncryptionKeyResolver"/> seam),
/// and the transcript sealed under it. Opening resolves the stored versioned key id, so a rotation never
/// breaks old data. The data key is zeroed as soon as it has been used.
/// </summary>
public sealed class TranscriptProtector(IKeyEncryptionKeyResolver resolver, string keyId, TranscriptCompression compression)
{
    /// <summary>Wraps a fresh data key (locally; no Key Vault call once the key is cached) and seals.</summary>
    public async Task<ProtectedTranscript> ProtectAsync(TranscriptContext context, ReadOnlyMemory<byte> plaintext, CancellationToken cancellationToken = default)
    {
        var kek = await resolver.ResolveAsync(keyId, cancellationToken).ConfigureAwait(false);
        var dataKey = TranscriptEnvelope.NewDataKey();
        try
        {
            var wrapped = await kek.WrapKeyAsync(KeyWrapAlgorithm.RsaOaep256, dataKey, cancellationToken).ConfigureAwait(false);
            var sealedTranscript = TranscriptEnvelope.Seal(dataKey, context, plaintext.Span, compression);
            return new ProtectedTranscript(kek.KeyId, KeyWrapAlgorithm.RsaOaep256, wrapped, sealedTranscript);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
        }
    }

    /// <summary>
    /// Unwraps the data key (one Key Vault call) and opens the envelope. A wrapped key that does not
    /// unwrap is a failure value; Key Vault being unavailable or refusing access throws.
    /// </summary>
    public async Task<TranscriptOpenResult> OpenAsync(TranscriptContext context, ProtectedTranscript stored, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stored);
        if (stored.WrapAlgorithm != KeyWrapAlgorithm.RsaOaep256)
        {
            return TranscriptOpenResult.Fail(TranscriptOpenFailure.UnsupportedVersion, "The data key is wrapped with an unsupported algorithm.");
        }

        IKeyEncryptionKey kek;
        try
        {
            kek = await resolver.ResolveAsync(stored.KeyId, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is ArgumentException or KeyNotFoundException)
        {
            return TranscriptOpenResult.Fail(TranscriptOpenFailure.WrongKey, "The key that wrapped this transcript's data key is not available.");
        }

        byte[] dataKey;
        try
        {
            dataKey = await kek.UnwrapKeyAsync(stored.WrapAlgorithm, stored.WrappedKey, cancellationToken).ConfigureAwait(false);
        }
        catch (CryptographicException)
        {
            return Unwrappable();
        }
        catch (RequestFailedException e) when (e.Status == 400)
        {
            // Key Vault answers 400 BadParameter for a wrapped key that does not decrypt.
            return Unwrappable();
        }

        try
        {
            return TranscriptEnvelope.Open(dataKey, context, stored.Sealed);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
        }
    }

    /// <summary>
    /// Re-wraps a stored data key under the current version of the key-encryption key (after a rotation):
    /// one unwrap under the stored version, one local wrap. Null when it is already under the current version.
    /// The data key never leaves memory and is zeroed; the chunks are untouched.
    /// </summary>
    public async Task<(string KeyId, byte[] WrappedKey)?> RewrapAsync(string storedKeyId, string wrapAlgorithm, ReadOnlyMemory<byte> wrappedKey, CancellationToken cancellationToken = default)
    {
        var current = await resolver.ResolveAsync(keyId, cancellationToken).ConfigureAwait(false);
        if (current.KeyId == storedKeyId)
        {
            return null;
        }

        var stored = await resolver.ResolveAsync(storedKeyId, cancellationToken).ConfigureAwait(false);
        var dataKey = await stored.UnwrapKeyAsync(wrapAlgorithm, wrappedKey, cancellationToken).ConfigureAwait(false);
        try
        {
            return (current.KeyId, await current.WrapKeyAsync(KeyWrapAlgorithm.RsaOaep256, dataKey, cancellationToken).ConfigureAwait(false));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
        }
    }

    private static TranscriptOpenResult Unwrappable() =>
        TranscriptOpenResult.Fail(TranscriptOpenFailure.WrongKey, "The wrapped data key did not unwrap (altered, or wrapped by another key).");
}
