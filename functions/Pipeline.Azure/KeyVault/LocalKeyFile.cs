using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using Azure.Core.Cryptography;

namespace Pipeline.Azure.KeyVault;

/// <summary>
/// Local mode's key-encryption keys: RSA-3072 keys in a JSON file in a git-ignored folder, created on
/// first use, behind the same <see cref="IKeyEncryptionKeyResolver"/> seam as Key Vault. Key ids are
/// <c>local:kek</c> (the current version) and <c>local:kek/{version}</c>; every version stays in the file,
/// so data wrapped before a <see cref="Rotate"/> still unwraps after it.
/// </summary>
public sealed class LocalKeyFile : IKeyEncryptionKeyResolver
{
    /// <summary>The versionless id: the current version.</summary>
    public const string KeyName = "local:kek";

    private const int KeySizeBits = 3072;
    private readonly string _path;
    private readonly Lock _lock = new();
    private readonly ConcurrentDictionary<string, LocalKeyEncryptionKey> _keys = new(StringComparer.Ordinal);
    private string _current;

    private LocalKeyFile(string path, KeyFileContent content)
    {
        _path = path;
        _current = content.Current;
        foreach (var (version, pem) in content.Keys)
        {
            _keys[version] = new LocalKeyEncryptionKey(version, pem);
        }
    }

    /// <summary>The versioned id new data keys are wrapped under.</summary>
    public string CurrentKeyId => $"{KeyName}/{_current}";

    /// <summary>Reads the key file, creating it (owner-only permissions) with a fresh key when it does not exist.</summary>
    public static LocalKeyFile OpenOrCreate(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        path = Path.GetFullPath(path);
        if (!File.Exists(path))
        {
            var version = NewVersion();
            var created = new KeyFileContent(version, new Dictionary<string, string>(StringComparer.Ordinal) { [version] = NewKeyPem() });
            try
            {
                Write(path, created, FileMode.CreateNew);
            }
            catch (IOException) when (File.Exists(path))
            {
                // Another process created it first; use theirs.
            }
        }

        var content = JsonSerializer.Deserialize(File.ReadAllBytes(path), LocalKeyFileJsonContext.Default.KeyFileContent);
        if (content is null || !content.Keys.ContainsKey(content.Current))
        {
            throw new InvalidDataException($"The local key file at {path} is not valid.");
        }

        return new LocalKeyFile(path, content);
    }

    /// <summary>Adds a new key version and makes it current; returns its versioned id.</summary>
    public string Rotate()
    {
        lock (_lock)
        {
            var version = NewVersion();
            var pem = NewKeyPem();
            var keys = _keys.ToDictionary(pair => pair.Key, pair => pair.Value.ExportPem(), StringComparer.Ordinal);
            keys[version] = pem;
            Write(_path, new KeyFileContent(version, keys), FileMode.Create);
            _keys[version] = new LocalKeyEncryptionKey(version, pem);
            _current = version;
            return CurrentKeyId;
        }
    }

    public IKeyEncryptionKey Resolve(string keyId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(keyId);
        var version = keyId == KeyName ? _current
            : keyId.StartsWith(KeyName + "/", StringComparison.Ordinal) ? keyId[(KeyName.Length + 1)..]
            : throw new ArgumentException("The key id is not a local key id.", nameof(keyId));
        return _keys.TryGetValue(version, out var key)
            ? key
            : throw new KeyNotFoundException("The local key file holds no key of that version.");
    }

    public Task<IKeyEncryptionKey> ResolveAsync(string keyId, CancellationToken cancellationToken = default) =>
        Task.FromResult(Resolve(keyId, cancellationToken));

    private static string NewVersion() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    private static string NewKeyPem()
    {
        using var rsa = RSA.Create(KeySizeBits);
        return rsa.ExportPkcs8PrivateKeyPem();
    }

    private static void Write(string path, KeyFileContent content, FileMode mode)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var options = new FileStreamOptions { Mode = mode, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using var stream = new FileStream(path, options);
        JsonSerializer.Serialize(stream, content, LocalKeyFileJsonContext.Default.KeyFileContent);
    }

    private sealed class LocalKeyEncryptionKey : IKeyEncryptionKey
    {
        private readonly RSA _rsa = RSA.Create();

        public LocalKeyEncryptionKey(string version, string pem)
        {
            _rsa.ImportFromPem(pem);
            KeyId = $"{KeyName}/{version}";
        }

        public string KeyId { get; }

        public string ExportPem() => _rsa.ExportPkcs8PrivateKeyPem();

        public byte[] WrapKey(string algorithm, ReadOnlyMemory<byte> key, CancellationToken cancellationToken = default)
        {
            KeyWrapAlgorithm.EnsureSupported(algorithm);
            return _rsa.Encrypt(key.Span, RSAEncryptionPadding.OaepSHA256);
        }

        public Task<byte[]> WrapKeyAsync(string algorithm, ReadOnlyMemory<byte> key, CancellationToken cancellationToken = default) =>
            Task.FromResult(WrapKey(algorithm, key, cancellationToken));

        public byte[] UnwrapKey(string algorithm, ReadOnlyMemory<byte> encryptedKey, CancellationToken cancellationToken = default)
        {
            KeyWrapAlgorithm.EnsureSupported(algorithm);
            return _rsa.Decrypt(encryptedKey.Span, RSAEncryptionPadding.OaepSHA256);
        }

        public Task<byte[]> UnwrapKeyAsync(string algorithm, ReadOnlyMemory<byte> encryptedKey, CancellationToken cancellationToken = default) =>
            Task.FromResult(UnwrapKey(algorithm, encryptedKey, cancellationToken));
    }
}

internal sealed record KeyFileContent(
    [property: JsonPropertyName("current")] string Current,
    [property: JsonPropertyName("keys")] Dictionary<string, string> Keys);

[JsonSerializable(typeof(KeyFileContent))]
[JsonSourceGenerationOptions(WriteIndented = true)]
internal sealed partial class LocalKeyFileJsonContext : JsonSerializerContext;
