using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Core;
using Azure.Core.Pipeline;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Pipeline.Azure.KeyVault;

namespace Pipeline.Tests.KeyVault;

/// <summary>
/// A Key Vault on https://127.0.0.1:{port} in the test process, implementing the documented contract of
/// <c>GET /keys/{name}[/{version}]</c> and <c>POST /keys/{name}/{version}/unwrapkey</c> with real RSA keys,
/// the 401 bearer challenge, and injectable faults (429 with Retry-After, 5xx, error bodies).
/// </summary>
internal sealed class LoopbackKeyVault : IAsyncDisposable
{
    public const string Token = "loopback-token";
    public const string TenantId = "72f988bf-86f1-41af-91ab-2d7cd011db47";
    public const string ApiVersion = "2025-07-01";

    // One certificate for every loopback vault in the run: generating RSA keys is the slow part.
    private static readonly Lazy<X509Certificate2> SharedCertificate = new(CreateCertificate);
    private readonly WebApplication _app;
    private readonly X509Certificate2 _certificate;
    private readonly ConcurrentDictionary<string, RSA> _versions = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<Fault> _faults = new();
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();

    private LoopbackKeyVault(WebApplication app, X509Certificate2 certificate)
    {
        _app = app;
        _certificate = certificate;
    }

    public string KeyName { get; } = "transcripts";

    public string CurrentVersion { get; private set; } = "";

    /// <summary>Each version's <c>attributes.created</c>, as Key Vault reports it (whole Unix seconds).</summary>
    public Dictionary<string, DateTimeOffset> CreatedAt { get; } = [];

    public Uri VaultUri { get; private set; } = null!;

    /// <summary>The resource named in the 401 challenge.</summary>
    public string ChallengeResource { get; set; } = "https://vault.azure.net";

    public IReadOnlyList<RecordedRequest> Requests => [.. _requests];

    public int GetKeyCalls => _requests.Count(r => r.Authorized && r.Operation == "get");

    public int UnwrapCalls => _requests.Count(r => r.Authorized && r.Operation == "unwrap" && r.Status == 200);

    public string VersionlessKeyId => new Uri(VaultUri, $"keys/{KeyName}").AbsoluteUri;

    public static async Task<LoopbackKeyVault> StartAsync()
    {
        var certificate = SharedCertificate.Value;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(certificate)));
        var app = builder.Build();
        var vault = new LoopbackKeyVault(app, certificate);
        vault.Rotate();
        app.MapGet("/keys/{name}", (HttpContext context, string name) => vault.HandleAsync(context, "get", name, null));
        app.MapGet("/keys/{name}/{version}", (HttpContext context, string name, string version) => vault.HandleAsync(context, "get", name, version));
        app.MapPost("/keys/{name}/{version}/unwrapkey", (HttpContext context, string name, string version) => vault.HandleAsync(context, "unwrap", name, version));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        vault.VaultUri = new Uri(address.TrimEnd('/') + "/");
        return vault;
    }

    /// <summary>Adds a new key version and makes it current, as a Key Vault rotation does.</summary>
    public string Rotate()
    {
        var version = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        _versions[version] = RSA.Create(2048);
        CreatedAt[version] = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 86_400 * _versions.Count);
        CurrentVersion = version;
        return version;
    }

    /// <summary>The next authorized request is answered with this fault instead of its result.</summary>
    public void Enqueue(int status, string? retryAfter = null, string? errorCode = null, string? errorMessage = null) =>
        _faults.Enqueue(new Fault(status, retryAfter, errorCode, errorMessage));

    /// <summary>Decrypts with the vault's private key, to check a locally wrapped key independently of the client.</summary>
    public byte[] DecryptDirectly(string version, byte[] wrapped) => _versions[version].Decrypt(wrapped, RSAEncryptionPadding.OaepSHA256);

    /// <summary>Client options that trust this vault's certificate (only it), with short retry delays.</summary>
    public KeyVaultKeyClientOptions ClientOptions(bool verifyChallengeResource = false)
    {
        var options = new KeyVaultKeyClientOptions { DisableChallengeResourceVerification = !verifyChallengeResource };
        options.Retry.Delay = TimeSpan.FromMilliseconds(10);
        options.Retry.MaxDelay = TimeSpan.FromSeconds(5);
        var thumbprint = _certificate.Thumbprint;
#pragma warning disable CA2000 // The transport owns the handler for the client's lifetime.
        var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, certificate, _, _) => certificate?.Thumbprint == thumbprint,
        };
#pragma warning restore CA2000
        options.Transport = new HttpClientTransport(handler);
        return options;
    }

    public KeyVaultKeyClient CreateClient(TokenCredential credential, bool verifyChallengeResource = false) =>
        new(VaultUri, credential, ClientOptions(verifyChallengeResource));

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        foreach (var rsa in _versions.Values)
        {
            rsa.Dispose();
        }
    }

    private async Task<IResult> HandleAsync(HttpContext context, string operation, string name, string? version)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer);
        var authorized = context.Request.Headers.Authorization.ToString() == $"Bearer {Token}";
        var record = new RecordedRequest(operation, authorized, buffer.Length, DateTimeOffset.UtcNow);

        var result = Answer(context, operation, name, version, authorized, buffer.ToArray(), out var status);
        _requests.Enqueue(record with { Status = status });
        return result;
    }

    private IResult Answer(HttpContext context, string operation, string name, string? version, bool authorized, byte[] body, out int status)
    {
        if (!authorized)
        {
            context.Response.Headers.WWWAuthenticate =
                $"Bearer authorization=\"https://login.microsoftonline.com/{TenantId}\", resource=\"{ChallengeResource}\"";
            status = 401;
            return Error(401, "Unauthorized", "AKV10000: Request is missing a Bearer or PoP token.");
        }

        if (_faults.TryDequeue(out var fault))
        {
            if (fault.RetryAfter is not null)
            {
                context.Response.Headers.RetryAfter = fault.RetryAfter;
            }

            status = fault.Status;
            return Error(fault.Status, fault.Code ?? "Throttled", fault.Message ?? "Injected fault.");
        }

        if (context.Request.Query["api-version"] != ApiVersion)
        {
            status = 400;
            return Error(400, "BadParameter", "Unsupported api-version.");
        }

        version ??= CurrentVersion;
        if (name != KeyName || !_versions.TryGetValue(version, out var rsa))
        {
            status = 404;
            return Error(404, "KeyNotFound", "A key with (name/id) was not found in this key vault.");
        }

        var kid = new Uri(VaultUri, $"keys/{name}/{version}").AbsoluteUri;
        if (operation == "get")
        {
            var parameters = rsa.ExportParameters(includePrivateParameters: false);
            status = 200;
            return Results.Json(new JsonObject
            {
                ["key"] = new JsonObject
                {
                    ["kid"] = kid,
                    ["kty"] = "RSA",
                    ["key_ops"] = new JsonArray("wrapKey", "unwrapKey"),
                    ["n"] = Base64Url.EncodeToString(parameters.Modulus),
                    ["e"] = Base64Url.EncodeToString(parameters.Exponent),
                },
                ["attributes"] = new JsonObject { ["enabled"] = true, ["created"] = CreatedAt[version].ToUnixTimeSeconds() },
            });
        }

        try
        {
            using var request = JsonDocument.Parse(body);
            if (request.RootElement.GetProperty("alg").GetString() != "RSA-OAEP-256")
            {
                status = 400;
                return Error(400, "BadParameter", "Unsupported algorithm.");
            }

            var plaintext = rsa.Decrypt(Base64Url.DecodeFromChars(request.RootElement.GetProperty("value").GetString()), RSAEncryptionPadding.OaepSHA256);
            status = 200;
            return Results.Json(new JsonObject { ["kid"] = kid, ["value"] = Base64Url.EncodeToString(plaintext) });
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or FormatException or CryptographicException)
        {
            status = 400;
            return Error(400, "BadParameter", "The parameter is incorrect.");
        }
    }

    private static IResult Error(int status, string code, string message) =>
        Results.Json(new JsonObject { ["error"] = new JsonObject { ["code"] = code, ["message"] = message } }, statusCode: status);

    private static X509Certificate2 CreateCertificate()
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pfx), null);
    }

    private sealed record Fault(int Status, string? RetryAfter, string? Code, string? Message);
}

internal sealed record RecordedRequest(string Operation, bool Authorized, long BodyLength, DateTimeOffset At, int Status = 0);

/// <summary>A credential that hands out the loopback vault's token and records what it was asked for.</summary>
internal sealed class RecordingCredential : TokenCredential
{
    private readonly ConcurrentQueue<TokenRequestContext> _requests = new();

    public IReadOnlyList<TokenRequestContext> Requests => [.. _requests];

    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
    {
        _requests.Enqueue(requestContext);
        return new AccessToken(LoopbackKeyVault.Token, DateTimeOffset.UtcNow.AddHours(1));
    }

    public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
        ValueTask.FromResult(GetToken(requestContext, cancellationToken));
}
