using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Azure.Core.Pipeline;
using Azure.Security.KeyVault.Secrets;
using Microsoft.Extensions.Time.Testing;
using Pipeline.Cli.Secrets;
using Pipeline.Core.Configuration;
using Pipeline.Tests.KeyVault;
using Spectre.Console.Testing;
using Pipeline.Core.Webhooks;

namespace Pipeline.Tests.Cli;

/// <summary>
/// <c>secrets status</c> in both of its outcomes: Key Vault references read through the real
/// <see cref="SecretClient"/> over a transport answering the documented secret-versions contract (401 challenge
/// first, then the list), and literal secrets, whose age is unknown and never flagged.
/// </summary>
public sealed class SecretsStatusTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 3, 0, 0, TimeSpan.Zero);
    private const string Vault = "https://pipeline-kv.vault.azure.net/";
    private const string LiteralSecret = "do-not-print-this-secret-value-0123456789";

    private readonly FakeVault _vault = new();

    public void Dispose() => _vault.Dispose();

    [Fact]
    public async Task Status_FreshSecretsInKeyVault_IsHealthyExitZero()
    {
        _vault.Versions["webhook-acme-mindtickle-v1"] = [("1111", Now.AddDays(-30), true)];
        var options = Options(("acme", "mindtickle", [Reference("webhook-acme-mindtickle-v1")]));
        var console = Console();

        var code = await RunAsync(options, console);

        Assert.Equal(SecretsStatus.Healthy, code);
        Assert.Contains("30 days", console.Output, StringComparison.Ordinal);
        Assert.Contains("webhook-acme-mindtickle-v1", console.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("FLAG", console.Output, StringComparison.Ordinal);
        Assert.All(_vault.Paths, path => Assert.EndsWith("/versions", path, StringComparison.Ordinal)); // attributes only, never a value
    }

    [Fact]
    public async Task Status_OldSecretAndRotationLeftHalfDone_FlagsBothExitOne()
    {
        _vault.Versions["webhook-acme-mindtickle-v1"] = [("1111", Now.AddDays(-120), true)];
        _vault.Versions["webhook-globex-twinmind-v1"] = [("2221", Now.AddDays(-60), true)];
        _vault.Versions["webhook-globex-twinmind-v2"] = [("2222", Now.AddDays(-10), true)];
        var options = Options(
            ("acme", "mindtickle", [Reference("webhook-acme-mindtickle-v1")]),
            ("globex", "twinmind", [Reference("webhook-globex-twinmind-v1"), Reference("webhook-globex-twinmind-v2")]));
        var console = Console();

        var code = await RunAsync(options, console);

        Assert.Equal(SecretsStatus.Flagged, code);
        Assert.Contains("FLAG: older than 90 days: rotate", console.Output, StringComparison.Ordinal);
        Assert.Contains("FLAG: 2 secrets for 10 days: finish the rotation", console.Output, StringComparison.Ordinal);
        Assert.Contains("2 flagged", console.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_VersionedReferenceToMissingSecret_IsFlagged()
    {
        var options = Options(("acme", "standard", [$"@Microsoft.KeyVault(SecretUri={Vault}secrets/webhook-acme-standard-v1/abcd)"]));
        var console = Console();

        var code = await RunAsync(options, console);

        Assert.Equal(SecretsStatus.Flagged, code);
        Assert.Contains("FLAG: missing in Key Vault (not found)", console.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_LiteralSecretsAsInLocalMode_AgeUnknownNothingFlaggedNoValuePrinted()
    {
        var options = Options(("acme", "mindtickle", [LiteralSecret, LiteralSecret + "-next"]));
        var console = Console();

        var code = await RunAsync(options, console);

        Assert.Equal(SecretsStatus.Healthy, code);
        Assert.Contains("age unknown (not a Key Vault reference)", console.Output, StringComparison.Ordinal);
        Assert.Contains("2 secrets; since when is unknown", console.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("do-not-print", console.Output, StringComparison.Ordinal);
        Assert.Empty(_vault.Paths);
    }

    [Theory]
    [InlineData("@Microsoft.KeyVault(SecretUri=https://kv1.vault.azure.net/secrets/s1/)", "https://kv1.vault.azure.net/", "s1", null)]
    [InlineData("@Microsoft.KeyVault(SecretUri=https://kv1.vault.azure.net/secrets/s1/0a1b)", "https://kv1.vault.azure.net/", "s1", "0a1b")]
    [InlineData("@Microsoft.KeyVault(VaultName=kv2;SecretName=s2)", "https://kv2.vault.azure.net/", "s2", null)]
    [InlineData("@Microsoft.KeyVault(VaultName=kv2;SecretName=s2;SecretVersion=9f)", "https://kv2.vault.azure.net/", "s2", "9f")]
    public void TryParse_KeyVaultReference_NamesVaultSecretAndVersion(string setting, string vault, string name, string? version)
    {
        Assert.Equal(new KeyVaultReference(new Uri(vault), name, version), KeyVaultReference.TryParse(setting));
    }

    [Theory]
    [InlineData("whsec_abc")]
    [InlineData("@Microsoft.KeyVault(SecretUri=http://kv.vault.azure.net/secrets/s)")]
    [InlineData("@Microsoft.KeyVault(VaultName=kv)")]
    public void TryParse_NotAReference_IsNull(string setting) => Assert.Null(KeyVaultReference.TryParse(setting));

    private static string Reference(string name) => $"@Microsoft.KeyVault(SecretUri={Vault}secrets/{name}/)";

    private static PipelineOptions Options(params (string Tenant, string Vendor, string[] Secrets)[] entries)
    {
        var options = new PipelineOptions();
        foreach (var (tenant, vendor, secrets) in entries)
        {
            if (!options.Tenants.TryGetValue(tenant, out var tenantOptions))
            {
                options.Tenants[tenant] = tenantOptions = new TenantOptions();
            }

            tenantOptions.Vendors[vendor] = new VendorOptions { Secrets = [.. secrets] };
        }

        return options;
    }

    private Task<int> RunAsync(PipelineOptions options, TestConsole console)
    {
        var clientOptions = new SecretClientOptions { DisableChallengeResourceVerification = true, Transport = new HttpClientTransport(new HttpClient(_vault)) };
        clientOptions.Retry.MaxRetries = 0;
        return SecretsStatus.RunAsync(options, new WebhookOptions(), vault => new SecretClient(vault, new RecordingCredential(), clientOptions), new FakeTimeProvider(Now), console, TestContext.Current.CancellationToken);
    }

    private static TestConsole Console()
    {
        var console = new TestConsole();
        console.Profile.Width = 300;
        return console;
    }

    /// <summary>
    /// Key Vault's <c>GET /secrets/{name}/versions</c> as documented: 401 with a Bearer challenge to a request without
    /// a token, then the versions' attributes (<c>created</c> in Unix seconds), 404 <c>SecretNotFound</c> for none.
    /// </summary>
    private sealed class FakeVault : HttpMessageHandler
    {
        public Dictionary<string, List<(string Version, DateTimeOffset Created, bool Enabled)>> Versions { get; } = new(StringComparer.Ordinal);

        public List<string> Paths { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var path = request.RequestUri!.AbsolutePath;
            lock (Paths)
            {
                Paths.Add(path);
            }

            if (request.Headers.Authorization is null)
            {
                var challenge = new HttpResponseMessage(HttpStatusCode.Unauthorized) { Content = Json(new JsonObject { ["error"] = new JsonObject { ["code"] = "Unauthorized" } }) };
                challenge.Headers.Add("WWW-Authenticate", $"Bearer authorization=\"https://login.microsoftonline.com/{LoopbackKeyVault.TenantId}\", resource=\"https://vault.azure.net\"");
                return Task.FromResult(challenge);
            }

            var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
            if (request.Method != HttpMethod.Get || segments is not ["secrets", var name, "versions"] || !Versions.TryGetValue(name, out var versions))
            {
                return Task.FromResult(new HttpResponseMessage(HttpStatusCode.NotFound)
                {
                    Content = Json(new JsonObject { ["error"] = new JsonObject { ["code"] = "SecretNotFound", ["message"] = "A secret with (name/id) was not found in this key vault." } }),
                });
            }

            var items = new JsonArray(versions.Select(v => (JsonNode)new JsonObject
            {
                ["id"] = $"{Vault}secrets/{name}/{v.Version}",
                ["attributes"] = new JsonObject { ["enabled"] = v.Enabled, ["created"] = v.Created.ToUnixTimeSeconds(), ["updated"] = v.Created.ToUnixTimeSeconds() },
            }).ToArray());
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = Json(new JsonObject { ["value"] = items, ["nextLink"] = null }) });
        }

        private static StringContent Json(JsonNode node) => new(node.ToJsonString(), Encoding.UTF8, "application/json");
    }
}
