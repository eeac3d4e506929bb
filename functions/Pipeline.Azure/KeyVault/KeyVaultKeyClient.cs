using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;

namespace Pipeline.Azure.KeyVault;

/// <summary>The public half of a Key Vault RSA key, as <c>GET /keys/{name}</c> returns it.</summary>
/// <param name="KeyId">The versioned key id.</param>
/// <param name="Parameters">Modulus and exponent.</param>
public sealed record KeyVaultRsaPublicKey(KeyVaultKeyId KeyId, RSAParameters Parameters)
{
    /// <summary>When this version was created (<c>attributes.created</c>): the day a rotation brought it in. Null when not given.</summary>
    public DateTimeOffset? Created { get; init; }
}

/// <summary>
/// The two Key Vault key operations the pipeline needs, over the REST API on an Azure.Core
/// <see cref="HttpPipeline"/>: get a key's public part, and unwrap a data key. Wrapping needs no call:
/// it is done locally with the public key.
/// </summary>
public sealed class KeyVaultKeyClient
{
    private static readonly StatusCodeClassifier Ok = new(stackalloc ushort[] { 200 });
    private readonly HttpPipeline _pipeline;
    private readonly string _apiVersion;

    public KeyVaultKeyClient(Uri vaultUri, TokenCredential credential, KeyVaultKeyClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(vaultUri);
        ArgumentNullException.ThrowIfNull(credential);
        options ??= new KeyVaultKeyClientOptions();
        VaultUri = vaultUri;
        _apiVersion = options.ApiVersion;
        _pipeline = HttpPipelineBuilder.Build(
            options,
            perCallPolicies: [],
            perRetryPolicies: [new KeyVaultChallengePolicy(credential, !options.DisableChallengeResourceVerification), new KeyVaultCallMetrics()],
            responseClassifier: Ok);
    }

    /// <summary>The vault this client talks to.</summary>
    public Uri VaultUri { get; }

    /// <summary><c>GET {vault}/keys/{name}[/{version}]</c>: the key's versioned id and public RSA parameters.</summary>
    public Task<KeyVaultRsaPublicKey> GetKeyAsync(string name, string? version = null, CancellationToken cancellationToken = default) =>
        GetKeyCoreAsync(name, version, async: true, cancellationToken).AsTask();

    /// <summary>The synchronous <see cref="GetKeyAsync"/>: the pipeline runs synchronously, nothing blocks on a task.</summary>
    public KeyVaultRsaPublicKey GetKey(string name, string? version = null, CancellationToken cancellationToken = default) =>
        EnsureCompleted(GetKeyCoreAsync(name, version, async: false, cancellationToken));

    /// <summary><c>POST {kid}/unwrapkey</c>: Key Vault decrypts the wrapped data key with the private key.</summary>
    public Task<byte[]> UnwrapKeyAsync(KeyVaultKeyId keyId, string algorithm, ReadOnlyMemory<byte> encryptedKey, CancellationToken cancellationToken = default) =>
        UnwrapKeyCoreAsync(keyId, algorithm, encryptedKey, async: true, cancellationToken).AsTask();

    /// <summary>The synchronous <see cref="UnwrapKeyAsync"/>.</summary>
    public byte[] UnwrapKey(KeyVaultKeyId keyId, string algorithm, ReadOnlyMemory<byte> encryptedKey, CancellationToken cancellationToken = default) =>
        EnsureCompleted(UnwrapKeyCoreAsync(keyId, algorithm, encryptedKey, async: false, cancellationToken));

    private static T EnsureCompleted<T>(ValueTask<T> task) => task.IsCompleted
        ? task.GetAwaiter().GetResult()
        : throw new InvalidOperationException("A synchronous Key Vault call did not complete synchronously.");

    // The Azure SDK's pattern: one body for both, where async: false never awaits an incomplete task.
    private async ValueTask<KeyVaultRsaPublicKey> GetKeyCoreAsync(string name, string? version, bool async, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        using var message = _pipeline.CreateMessage();
        var request = message.Request;
        request.Method = RequestMethod.Get;
        request.Uri.Reset(VaultUri);
        request.Uri.AppendPath("keys/", escape: false);
        request.Uri.AppendPath(name, escape: true);
        if (version is not null)
        {
            request.Uri.AppendPath("/", escape: false);
            request.Uri.AppendPath(version, escape: true);
        }

        request.Uri.AppendQuery("api-version", _apiVersion);
        request.Headers.Add("Accept", "application/json");

        using var document = await SendAsync(message, async, cancellationToken).ConfigureAwait(false);
        try
        {
            var key = document.RootElement.GetProperty("key");
            var kty = key.GetProperty("kty").GetString();
            if (kty is not ("RSA" or "RSA-HSM"))
            {
                throw new RequestFailedException(message.Response.Status, $"Key Vault key '{name}' is a {kty} key; an RSA key is required.");
            }

            if (!KeyVaultKeyId.TryParse(key.GetProperty("kid").GetString(), out var keyId) || keyId.Version is null)
            {
                throw new RequestFailedException(message.Response.Status, "Key Vault returned a key without a versioned kid.");
            }

            return new KeyVaultRsaPublicKey(keyId, new RSAParameters
            {
                Modulus = Base64Url.DecodeFromChars(key.GetProperty("n").GetString()),
                Exponent = Base64Url.DecodeFromChars(key.GetProperty("e").GetString()),
            })
            {
                Created = document.RootElement.TryGetProperty("attributes", out var attributes)
                    && attributes.TryGetProperty("created", out var created) && created.TryGetInt64(out var seconds)
                        ? DateTimeOffset.FromUnixTimeSeconds(seconds)
                        : null,
            };
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new RequestFailedException(message.Response.Status, "Key Vault answered GET key with an unexpected body.", e);
        }
    }

    private async ValueTask<byte[]> UnwrapKeyCoreAsync(KeyVaultKeyId keyId, string algorithm, ReadOnlyMemory<byte> encryptedKey, bool async, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keyId);
        if (keyId.Version is null)
        {
            throw new ArgumentException("Unwrapping needs the versioned key id the data key was wrapped with.", nameof(keyId));
        }

        using var message = _pipeline.CreateMessage();
        var request = message.Request;
        request.Method = RequestMethod.Post;
        request.Uri.Reset(keyId.Id);
        request.Uri.AppendPath("/unwrapkey", escape: false);
        request.Uri.AppendQuery("api-version", _apiVersion);
        request.Headers.Add("Accept", "application/json");
        request.Headers.Add("Content-Type", "application/json");
        request.Content = RequestContent.Create(JsonSerializer.SerializeToUtf8Bytes(
            new UnwrapRequest(algorithm, Base64Url.EncodeToString(encryptedKey.Span)), KeyVaultJsonContext.Default.UnwrapRequest));

        using var document = await SendAsync(message, async, cancellationToken).ConfigureAwait(false);
        try
        {
            return Base64Url.DecodeFromChars(document.RootElement.GetProperty("value").GetString());
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new RequestFailedException(message.Response.Status, "Key Vault answered unwrapkey with an unexpected body.", e);
        }
    }

    private async ValueTask<JsonDocument> SendAsync(HttpMessage message, bool async, CancellationToken cancellationToken)
    {
        if (async)
        {
            await _pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            _pipeline.Send(message, cancellationToken);
        }

        var response = message.Response;
        if (response.IsError)
        {
            // Key Vault's {"error":{"code","message"}} becomes ErrorCode and the message.
            throw new RequestFailedException(response);
        }

        try
        {
            var content = response.ContentStream ?? Stream.Null;
            return async
                ? await JsonDocument.ParseAsync(content, cancellationToken: cancellationToken).ConfigureAwait(false)
                : JsonDocument.Parse(content);
        }
        catch (JsonException e)
        {
            throw new RequestFailedException(response.Status, "Key Vault answered with a body that is not JSON.", e);
        }
    }
}
