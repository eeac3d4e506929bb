using System.Collections.Concurrent;
using Azure.Core.Cryptography;

namespace Pipeline.Azure.KeyVault;

/// <summary>
/// Resolves key ids to <see cref="KeyVaultKeyEncryptionKey"/>s. The versionless id is the current
/// version: one <c>GET</c>, cached for <see cref="CurrentKeyLifetime"/>, so a rotation is picked up
/// without a call per write. A versioned id (as stored beside a wrapped data key) resolves without any
/// call, so data wrapped before a rotation still unwraps after it. Only keys of this client's vault
/// resolve: a stored id never sends a token or a wrapped key to another host.
/// </summary>
public sealed class KeyVaultKeyResolver(KeyVaultKeyClient client, TimeProvider timeProvider) : IKeyEncryptionKeyResolver
{
    private readonly ConcurrentDictionary<string, KeyVaultKeyEncryptionKey> _versions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (Task<KeyVaultKeyEncryptionKey> Key, DateTimeOffset FetchedAt)> _current = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>How long the current version of a key is used before it is looked up again.</summary>
    public TimeSpan CurrentKeyLifetime { get; init; } = TimeSpan.FromHours(1);

    public IKeyEncryptionKey Resolve(string keyId, CancellationToken cancellationToken = default)
    {
        var parsed = Parse(keyId);
        if (parsed.Version is not null)
        {
            return Versioned(parsed);
        }

        lock (_lock)
        {
            if (Fresh(parsed.Name) is { } fresh)
            {
                return fresh;
            }
        }

        // Synchronous callers fetch on their own thread rather than block on a shared task.
        var kek = Remember(client.GetKey(parsed.Name, version: null, cancellationToken));
        lock (_lock)
        {
            _current[parsed.Name] = (Task.FromResult(kek), timeProvider.GetUtcNow());
        }

        return kek;
    }

    public async Task<IKeyEncryptionKey> ResolveAsync(string keyId, CancellationToken cancellationToken = default)
    {
        var parsed = Parse(keyId);
        if (parsed.Version is not null)
        {
            return Versioned(parsed);
        }

        return await CurrentAsync(parsed.Name, cancellationToken).ConfigureAwait(false);
    }

    private KeyVaultKeyId Parse(string keyId)
    {
        if (!KeyVaultKeyId.TryParse(keyId, out var parsed))
        {
            throw new ArgumentException("The key id is not a Key Vault key URI.", nameof(keyId));
        }

        if (!Uri.Compare(parsed.VaultUri, client.VaultUri, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase).Equals(0))
        {
            throw new ArgumentException("The key id names a vault other than the configured one.", nameof(keyId));
        }

        return parsed;
    }

    private KeyVaultKeyEncryptionKey Versioned(KeyVaultKeyId keyId) =>
        _versions.GetOrAdd(keyId.ToString(), _ => new KeyVaultKeyEncryptionKey(client, keyId, publicKey: null));

    /// <summary>The cached current key when it is still fresh and fetched; call under the lock.</summary>
    private KeyVaultKeyEncryptionKey? Fresh(string name) =>
        _current.TryGetValue(name, out var cached)
        && timeProvider.GetUtcNow() - cached.FetchedAt < CurrentKeyLifetime
        && cached.Key.IsCompletedSuccessfully
            ? cached.Key.Result
            : null;

    private KeyVaultKeyEncryptionKey Remember(KeyVaultRsaPublicKey key)
    {
        var kek = new KeyVaultKeyEncryptionKey(client, key.KeyId, key.Parameters);
        _versions[key.KeyId.ToString()] = kek;
        return kek;
    }

    private async Task<KeyVaultKeyEncryptionKey> CurrentAsync(string name, CancellationToken cancellationToken)
    {
        Task<KeyVaultKeyEncryptionKey> fetch;
        lock (_lock)
        {
            // Concurrent writers share one GET; a failed GET is forgotten so the next write tries again.
            var now = timeProvider.GetUtcNow();
            if (!_current.TryGetValue(name, out var cached) || now - cached.FetchedAt >= CurrentKeyLifetime || cached.Key.IsFaulted || cached.Key.IsCanceled)
            {
                cached = (FetchCurrentAsync(name), now);
                _current[name] = cached;
            }

            fetch = cached.Key;
        }

        return await fetch.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<KeyVaultKeyEncryptionKey> FetchCurrentAsync(string name)
    {
        // Not tied to one caller's token: other writers may be waiting on the same fetch.
        return Remember(await client.GetKeyAsync(name, version: null, CancellationToken.None).ConfigureAwait(false));
    }
}
