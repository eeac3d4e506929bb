using System.Security.Cryptography;
using Azure.Core.Cryptography;

namespace Pipeline.Azure.KeyVault;

/// <summary>
/// One version of a Key Vault RSA key as an <see cref="IKeyEncryptionKey"/>. Wrapping is local with the
/// cached public key (no Key Vault call per write); unwrapping is one <c>unwrapkey</c> call.
/// </summary>
public sealed class KeyVaultKeyEncryptionKey : IKeyEncryptionKey
{
    private readonly KeyVaultKeyClient _client;
    private readonly KeyVaultKeyId _keyId;
    private RSA? _publicKey;

    internal KeyVaultKeyEncryptionKey(KeyVaultKeyClient client, KeyVaultKeyId keyId, RSAParameters? publicKey)
    {
        _client = client;
        _keyId = keyId;
        if (publicKey is { } parameters)
        {
            _publicKey = RSA.Create(parameters);
        }
    }

    /// <summary>The versioned key id, which is what gets stored beside the wrapped data key.</summary>
    public string KeyId => _keyId.ToString();

    public byte[] WrapKey(string algorithm, ReadOnlyMemory<byte> key, CancellationToken cancellationToken = default)
    {
        KeyWrapAlgorithm.EnsureSupported(algorithm);
        var publicKey = _publicKey ?? Keep(_client.GetKey(_keyId.Name, _keyId.Version, cancellationToken));
        return publicKey.Encrypt(key.Span, RSAEncryptionPadding.OaepSHA256);
    }

    public async Task<byte[]> WrapKeyAsync(string algorithm, ReadOnlyMemory<byte> key, CancellationToken cancellationToken = default)
    {
        KeyWrapAlgorithm.EnsureSupported(algorithm);
        var publicKey = _publicKey ?? await FetchPublicKeyAsync(cancellationToken).ConfigureAwait(false);
        return publicKey.Encrypt(key.Span, RSAEncryptionPadding.OaepSHA256);
    }

    public byte[] UnwrapKey(string algorithm, ReadOnlyMemory<byte> encryptedKey, CancellationToken cancellationToken = default)
    {
        KeyWrapAlgorithm.EnsureSupported(algorithm);
        return _client.UnwrapKey(_keyId, algorithm, encryptedKey, cancellationToken);
    }

    public Task<byte[]> UnwrapKeyAsync(string algorithm, ReadOnlyMemory<byte> encryptedKey, CancellationToken cancellationToken = default)
    {
        KeyWrapAlgorithm.EnsureSupported(algorithm);
        return _client.UnwrapKeyAsync(_keyId, algorithm, encryptedKey, cancellationToken);
    }

    private async Task<RSA> FetchPublicKeyAsync(CancellationToken cancellationToken) =>
        Keep(await _client.GetKeyAsync(_keyId.Name, _keyId.Version, cancellationToken).ConfigureAwait(false));

    /// <summary>
    /// A key resolved from a stored kid only needs its public part when it is asked to wrap (a rewrap).
    /// Two racing first wraps may both fetch; the public key is the same either way.
    /// </summary>
    private RSA Keep(KeyVaultRsaPublicKey key)
    {
        var publicKey = RSA.Create(key.Parameters);
        return Interlocked.CompareExchange(ref _publicKey, publicKey, null) ?? publicKey;
    }
}
