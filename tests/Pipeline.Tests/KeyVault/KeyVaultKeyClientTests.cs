using System.Diagnostics;
using System.Security.Cryptography;
using Azure;
using Microsoft.Extensions.Time.Testing;
using Pipeline.Azure.KeyVault;

namespace Pipeline.Tests.KeyVault;

public sealed class KeyVaultKeyClientTests : IAsyncLifetime
{
    private readonly RecordingCredential _credential = new();
    private LoopbackKeyVault _vault = null!;

    public async ValueTask InitializeAsync() => _vault = await LoopbackKeyVault.StartAsync();

    public ValueTask DisposeAsync() => _vault.DisposeAsync();

    [Fact]
    public async Task ResolveAsync_VersionlessId_GetsKeyOnceThenWrapsLocally()
    {
        var resolver = new KeyVaultKeyResolver(_vault.CreateClient(_credential), TimeProvider.System);

        var wrapped = new List<(byte[] Key, byte[] Wrapped)>();
        for (var i = 0; i < 20; i++)
        {
            var kek = await resolver.ResolveAsync(_vault.VersionlessKeyId, TestContext.Current.CancellationToken);
            var dek = RandomNumberGenerator.GetBytes(32);
            wrapped.Add((dek, await kek.WrapKeyAsync(KeyWrapAlgorithm.RsaOaep256, dek, TestContext.Current.CancellationToken)));
            Assert.Equal($"{_vault.VersionlessKeyId}/{_vault.CurrentVersion}", kek.KeyId);
        }

        Assert.Equal(1, _vault.GetKeyCalls);
        Assert.Equal(0, _vault.UnwrapCalls);
        Assert.All(wrapped, pair => Assert.Equal(pair.Key, _vault.DecryptDirectly(_vault.CurrentVersion, pair.Wrapped)));
    }

    [Fact]
    public async Task UnwrapKeyAsync_LocallyWrappedKey_OneVaultCallReturnsTheKey()
    {
        var resolver = new KeyVaultKeyResolver(_vault.CreateClient(_credential), TimeProvider.System);
        var kek = await resolver.ResolveAsync(_vault.VersionlessKeyId, TestContext.Current.CancellationToken);
        var dek = RandomNumberGenerator.GetBytes(32);
        var wrapped = await kek.WrapKeyAsync(KeyWrapAlgorithm.RsaOaep256, dek, TestContext.Current.CancellationToken);

        // A fresh resolver, as a reader in another process would have: the stored kid alone is enough.
        var reader = new KeyVaultKeyResolver(_vault.CreateClient(_credential), TimeProvider.System);
        var before = _vault.GetKeyCalls;
        var stored = await reader.ResolveAsync(kek.KeyId, TestContext.Current.CancellationToken);
        var unwrapped = await stored.UnwrapKeyAsync(KeyWrapAlgorithm.RsaOaep256, wrapped, TestContext.Current.CancellationToken);

        Assert.Equal(dek, unwrapped);
        Assert.Equal(1, _vault.UnwrapCalls);
        Assert.Equal(before, _vault.GetKeyCalls);
    }

    [Fact]
    public async Task GetKeyAsync_EachVersion_ReportsItsCreationTime()
    {
        var first = _vault.CurrentVersion;
        var second = _vault.Rotate();
        var client = _vault.CreateClient(_credential);

        var keys = (await client.GetKeyAsync(_vault.KeyName, first, TestContext.Current.CancellationToken), await client.GetKeyAsync(_vault.KeyName, second, TestContext.Current.CancellationToken));

        Assert.Equal((_vault.CreatedAt[first], _vault.CreatedAt[second]), (keys.Item1.Created, keys.Item2.Created));
        Assert.NotEqual(keys.Item1.Created, keys.Item2.Created);
    }

    [Fact]
    public async Task UnwrapKeyAsync_FirstCall_AnswersChallengeWithoutSendingTheBodyUnauthenticated()
    {
        var client = _vault.CreateClient(_credential);
        var version = _vault.CurrentVersion;
        var dek = RandomNumberGenerator.GetBytes(32);
        var key = await new KeyVaultKeyClient(_vault.VaultUri, _credential, _vault.ClientOptions()).GetKeyAsync(_vault.KeyName, version, TestContext.Current.CancellationToken);
        using var rsa = RSA.Create(key.Parameters);
        var wrapped = rsa.Encrypt(dek, RSAEncryptionPadding.OaepSHA256);
        var before = _vault.Requests.Count;

        var unwrapped = await client.UnwrapKeyAsync(key.KeyId, KeyWrapAlgorithm.RsaOaep256, wrapped, TestContext.Current.CancellationToken);

        Assert.Equal(dek, unwrapped);
        var requests = _vault.Requests.Skip(before).ToList();
        Assert.Equal(2, requests.Count);
        Assert.False(requests[0].Authorized);
        Assert.Equal(401, requests[0].Status);
        Assert.Equal(0, requests[0].BodyLength);
        Assert.True(requests[1].Authorized);
        Assert.True(requests[1].BodyLength > 0);
    }

    [Fact]
    public async Task GetKeyAsync_Challenge_RequestsTokenForChallengedScopeAndTenant()
    {
        var client = _vault.CreateClient(_credential);

        await client.GetKeyAsync(_vault.KeyName, cancellationToken: TestContext.Current.CancellationToken);
        await client.GetKeyAsync(_vault.KeyName, cancellationToken: TestContext.Current.CancellationToken);

        var token = Assert.Single(_credential.Requests.DistinctBy(r => (string.Join(' ', r.Scopes), r.TenantId)));
        Assert.Equal(["https://vault.azure.net/.default"], token.Scopes);
        Assert.Equal(LoopbackKeyVault.TenantId, token.TenantId);
        // The scope is remembered: only the very first request is challenged.
        Assert.Equal(1, _vault.Requests.Count(r => r.Status == 401));
    }

    [Fact]
    public async Task GetKeyAsync_ChallengeForForeignResourceWithVerification_ThrowsWithoutRequestingToken()
    {
        var client = _vault.CreateClient(_credential, verifyChallengeResource: true);

        await Assert.ThrowsAsync<InvalidOperationException>(() => client.GetKeyAsync(_vault.KeyName, cancellationToken: TestContext.Current.CancellationToken));

        Assert.Empty(_credential.Requests);
    }

    [Fact]
    public async Task GetKeyAsync_ChallengeForTheVaultsOwnHostWithVerification_Succeeds()
    {
        _vault.ChallengeResource = "https://127.0.0.1";
        var client = _vault.CreateClient(_credential, verifyChallengeResource: true);

        var key = await client.GetKeyAsync(_vault.KeyName, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(_vault.CurrentVersion, key.KeyId.Version);
        Assert.Equal(["https://127.0.0.1/.default"], _credential.Requests[0].Scopes);
    }

    [Fact]
    public async Task GetKeyAsync_ThrottledWithRetryAfter_WaitsThenSucceeds()
    {
        var client = _vault.CreateClient(_credential);
        await client.GetKeyAsync(_vault.KeyName, cancellationToken: TestContext.Current.CancellationToken);
        _vault.Enqueue(429, retryAfter: "1", errorCode: "Throttled", errorMessage: "Too many requests.");
        var before = _vault.Requests.Count;

        var stopwatch = Stopwatch.StartNew();
        var key = await client.GetKeyAsync(_vault.KeyName, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(_vault.CurrentVersion, key.KeyId.Version);
        var attempts = _vault.Requests.Skip(before).ToList();
        Assert.Equal([429, 200], attempts.Select(r => r.Status));
        // The client's own retry delay is 10 ms; only honouring Retry-After makes it wait a second.
        Assert.True(attempts[1].At - attempts[0].At >= TimeSpan.FromMilliseconds(900), $"retried after {attempts[1].At - attempts[0].At}");
        Assert.True(stopwatch.Elapsed >= TimeSpan.FromMilliseconds(900));
    }

    [Fact]
    public async Task GetKeyAsync_ServerErrorsThenSuccess_Retries()
    {
        var client = _vault.CreateClient(_credential);
        _vault.Enqueue(503, errorCode: "ServiceUnavailable");
        _vault.Enqueue(500, errorCode: "InternalServerError");

        var key = await client.GetKeyAsync(_vault.KeyName, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(_vault.CurrentVersion, key.KeyId.Version);
        Assert.Equal([503, 500, 200], _vault.Requests.Where(r => r.Authorized).Select(r => r.Status));
    }

    [Fact]
    public async Task GetKeyAsync_PersistentServerError_ThrowsAfterRetries()
    {
        var client = _vault.CreateClient(_credential);
        for (var i = 0; i < 10; i++)
        {
            _vault.Enqueue(503, errorCode: "ServiceUnavailable", errorMessage: "Try later.");
        }

        var error = await Assert.ThrowsAsync<RequestFailedException>(() => client.GetKeyAsync(_vault.KeyName, cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal(503, error.Status);
        Assert.Equal(5, _vault.Requests.Count(r => r.Authorized));
    }

    [Fact]
    public async Task GetKeyAsync_ErrorBody_ThrowsRequestFailedExceptionWithCodeAndMessage()
    {
        var client = _vault.CreateClient(_credential);
        _vault.Enqueue(403, errorCode: "Forbidden", errorMessage: "The user does not have keys get permission.");

        var error = await Assert.ThrowsAsync<RequestFailedException>(() => client.GetKeyAsync(_vault.KeyName, cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal(403, error.Status);
        Assert.Equal("Forbidden", error.ErrorCode);
        Assert.Contains("keys get permission", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnwrapKeyAsync_TamperedWrappedKey_ThrowsBadParameter()
    {
        var resolver = new KeyVaultKeyResolver(_vault.CreateClient(_credential), TimeProvider.System);
        var kek = await resolver.ResolveAsync(_vault.VersionlessKeyId, TestContext.Current.CancellationToken);
        var wrapped = await kek.WrapKeyAsync(KeyWrapAlgorithm.RsaOaep256, RandomNumberGenerator.GetBytes(32), TestContext.Current.CancellationToken);
        wrapped[10] ^= 1;

        var error = await Assert.ThrowsAsync<RequestFailedException>(() => kek.UnwrapKeyAsync(KeyWrapAlgorithm.RsaOaep256, wrapped, TestContext.Current.CancellationToken));

        Assert.Equal(400, error.Status);
        Assert.Equal("BadParameter", error.ErrorCode);
    }

    [Fact]
    public async Task ResolveAsync_AfterRotation_OldDataStillUnwrapsAndNewDataUsesNewVersion()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var resolver = new KeyVaultKeyResolver(_vault.CreateClient(_credential), time);
        var v1 = await resolver.ResolveAsync(_vault.VersionlessKeyId, TestContext.Current.CancellationToken);
        var oldDek = RandomNumberGenerator.GetBytes(32);
        var oldWrapped = await v1.WrapKeyAsync(KeyWrapAlgorithm.RsaOaep256, oldDek, TestContext.Current.CancellationToken);

        var v2Version = _vault.Rotate();
        var stillCached = await resolver.ResolveAsync(_vault.VersionlessKeyId, TestContext.Current.CancellationToken);
        time.Advance(resolver.CurrentKeyLifetime);
        var v2 = await resolver.ResolveAsync(_vault.VersionlessKeyId, TestContext.Current.CancellationToken);

        Assert.Equal(v1.KeyId, stillCached.KeyId);
        Assert.EndsWith("/" + v2Version, v2.KeyId, StringComparison.Ordinal);
        Assert.NotEqual(v1.KeyId, v2.KeyId);
        var old = await resolver.ResolveAsync(v1.KeyId, TestContext.Current.CancellationToken);
        Assert.Equal(oldDek, await old.UnwrapKeyAsync(KeyWrapAlgorithm.RsaOaep256, oldWrapped, TestContext.Current.CancellationToken));
        var newDek = RandomNumberGenerator.GetBytes(32);
        Assert.Equal(newDek, _vault.DecryptDirectly(v2Version, await v2.WrapKeyAsync(KeyWrapAlgorithm.RsaOaep256, newDek, TestContext.Current.CancellationToken)));
    }

    [Fact]
    public async Task WrapKeyAsync_KeyResolvedFromStoredKid_FetchesThatVersionsPublicKey()
    {
        var oldVersion = _vault.CurrentVersion;
        _vault.Rotate();
        var resolver = new KeyVaultKeyResolver(_vault.CreateClient(_credential), TimeProvider.System);
        var old = await resolver.ResolveAsync($"{_vault.VersionlessKeyId}/{oldVersion}", TestContext.Current.CancellationToken);
        var dek = RandomNumberGenerator.GetBytes(32);

        var wrapped = await old.WrapKeyAsync(KeyWrapAlgorithm.RsaOaep256, dek, TestContext.Current.CancellationToken);

        Assert.Equal(dek, _vault.DecryptDirectly(oldVersion, wrapped));
    }

    [Theory]
    [InlineData("https://elsewhere.vault.azure.net/keys/transcripts/abc")]
    [InlineData("not a uri")]
    [InlineData("https://127.0.0.1/secrets/transcripts/abc")]
    public async Task ResolveAsync_KeyIdOutsideTheVault_ThrowsWithoutAnyCall(string keyId)
    {
        var resolver = new KeyVaultKeyResolver(_vault.CreateClient(_credential), TimeProvider.System);

        await Assert.ThrowsAsync<ArgumentException>(() => resolver.ResolveAsync(keyId, TestContext.Current.CancellationToken));

        Assert.Empty(_vault.Requests);
    }

    [Fact]
    public async Task WrapKeyAsync_OtherAlgorithm_Throws()
    {
        var resolver = new KeyVaultKeyResolver(_vault.CreateClient(_credential), TimeProvider.System);
        var kek = await resolver.ResolveAsync(_vault.VersionlessKeyId, TestContext.Current.CancellationToken);

        await Assert.ThrowsAsync<NotSupportedException>(() => kek.WrapKeyAsync("RSA1_5", new byte[32], TestContext.Current.CancellationToken));
    }

    [Fact]
    public void Resolve_Synchronously_GetsKeyOnceWrapsLocallyAndUnwrapsOnce()
    {
        var resolver = new KeyVaultKeyResolver(_vault.CreateClient(_credential), TimeProvider.System);
        var dek = RandomNumberGenerator.GetBytes(32);

        var kek = resolver.Resolve(_vault.VersionlessKeyId, TestContext.Current.CancellationToken);
        var wrapped = kek.WrapKey(KeyWrapAlgorithm.RsaOaep256, dek, TestContext.Current.CancellationToken);
        var again = resolver.Resolve(_vault.VersionlessKeyId, TestContext.Current.CancellationToken);
        var unwrapped = resolver.Resolve(kek.KeyId, TestContext.Current.CancellationToken).UnwrapKey(KeyWrapAlgorithm.RsaOaep256, wrapped, TestContext.Current.CancellationToken);

        Assert.Same(kek, again);
        Assert.Equal(dek, unwrapped);
        Assert.Equal(1, _vault.GetKeyCalls);
        Assert.Equal(1, _vault.UnwrapCalls);
    }
}
