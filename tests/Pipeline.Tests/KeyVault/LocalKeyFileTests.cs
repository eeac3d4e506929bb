using System.Security.Cryptography;
using Pipeline.Azure.KeyVault;

namespace Pipeline.Tests.KeyVault;

public sealed class LocalKeyFileTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("pipeline-keys-").FullName;

    private string KeyPath => Path.Combine(_directory, "keys", "local-kek.json");

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task OpenOrCreate_FirstRun_CreatesOwnerOnlyFileWithVersionedKey()
    {
        var keys = LocalKeyFile.OpenOrCreate(KeyPath);

        Assert.True(File.Exists(KeyPath));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(KeyPath));
        }

        var kek = await keys.ResolveAsync(LocalKeyFile.KeyName, TestContext.Current.CancellationToken);
        Assert.Equal(keys.CurrentKeyId, kek.KeyId);
        Assert.Matches("^local:kek/[0-9a-f]{32}$", kek.KeyId);
    }

    [Fact]
    public async Task OpenOrCreate_SecondRun_UnwrapsWhatTheFirstWrapped()
    {
        var dek = RandomNumberGenerator.GetBytes(32);
        var first = await LocalKeyFile.OpenOrCreate(KeyPath).ResolveAsync(LocalKeyFile.KeyName, TestContext.Current.CancellationToken);
        var wrapped = await first.WrapKeyAsync(KeyWrapAlgorithm.RsaOaep256, dek, TestContext.Current.CancellationToken);

        var second = await LocalKeyFile.OpenOrCreate(KeyPath).ResolveAsync(first.KeyId, TestContext.Current.CancellationToken);

        Assert.Equal(dek, await second.UnwrapKeyAsync(KeyWrapAlgorithm.RsaOaep256, wrapped, TestContext.Current.CancellationToken));
        Assert.Equal(384, wrapped.Length); // RSA-3072
    }

    [Fact]
    public async Task Rotate_OldVersionStillUnwrapsAndNewWrapsUseNewVersion()
    {
        var keys = LocalKeyFile.OpenOrCreate(KeyPath);
        var v1 = await keys.ResolveAsync(LocalKeyFile.KeyName, TestContext.Current.CancellationToken);
        var dek = RandomNumberGenerator.GetBytes(32);
        var wrapped = await v1.WrapKeyAsync(KeyWrapAlgorithm.RsaOaep256, dek, TestContext.Current.CancellationToken);

        var v2Id = keys.Rotate();
        var reopened = LocalKeyFile.OpenOrCreate(KeyPath);

        Assert.NotEqual(v1.KeyId, v2Id);
        Assert.Equal(v2Id, reopened.CurrentKeyId);
        var old = await reopened.ResolveAsync(v1.KeyId, TestContext.Current.CancellationToken);
        Assert.Equal(dek, await old.UnwrapKeyAsync(KeyWrapAlgorithm.RsaOaep256, wrapped, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task UnwrapKeyAsync_TamperedWrappedKey_Throws()
    {
        var kek = await LocalKeyFile.OpenOrCreate(KeyPath).ResolveAsync(LocalKeyFile.KeyName, TestContext.Current.CancellationToken);
        var wrapped = await kek.WrapKeyAsync(KeyWrapAlgorithm.RsaOaep256, RandomNumberGenerator.GetBytes(32), TestContext.Current.CancellationToken);
        wrapped[5] ^= 1;

        await Assert.ThrowsAnyAsync<CryptographicException>(() => kek.UnwrapKeyAsync(KeyWrapAlgorithm.RsaOaep256, wrapped, TestContext.Current.CancellationToken));
    }

    [Fact]
    public void Resolve_UnknownVersion_ThrowsKeyNotFound()
    {
        var keys = LocalKeyFile.OpenOrCreate(KeyPath);

        Assert.Throws<KeyNotFoundException>(() => keys.Resolve("local:kek/0000", TestContext.Current.CancellationToken));
    }

    [Fact]
    public void Resolve_KeyVaultKeyId_ThrowsArgument()
    {
        var keys = LocalKeyFile.OpenOrCreate(KeyPath);

        Assert.Throws<ArgumentException>(() => keys.Resolve("https://vault.vault.azure.net/keys/k/1", TestContext.Current.CancellationToken));
    }
}
