using Pipeline.Azure.KeyVault;

namespace Pipeline.Tests.KeyVault;

public sealed class KeyVaultKeyIdTests
{
    [Theory]
    [InlineData("https://contoso.vault.azure.net/keys/transcripts", "transcripts", null)]
    [InlineData("https://contoso.vault.azure.net/keys/transcripts/", "transcripts", null)]
    [InlineData("https://contoso.vault.azure.net/keys/transcripts/0123abcd", "transcripts", "0123abcd")]
    public void TryParse_KeyVaultKeyUri_ReadsNameAndVersion(string keyId, string name, string? version)
    {
        Assert.True(KeyVaultKeyId.TryParse(keyId, out var parsed));

        Assert.Equal(new Uri("https://contoso.vault.azure.net/"), parsed.VaultUri);
        Assert.Equal(name, parsed.Name);
        Assert.Equal(version, parsed.Version);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("local:kek/abc")]
    [InlineData("http://contoso.vault.azure.net/keys/transcripts")]
    [InlineData("https://contoso.vault.azure.net/secrets/transcripts")]
    [InlineData("https://contoso.vault.azure.net/keys")]
    [InlineData("https://contoso.vault.azure.net/keys/a/b/c")]
    [InlineData("https://contoso.vault.azure.net/keys/transcripts?api-version=1")]
    public void TryParse_NotAKeyVaultKeyUri_False(string? keyId) =>
        Assert.False(KeyVaultKeyId.TryParse(keyId, out _));

    [Fact]
    public void ToString_Versioned_IsTheKid() =>
        Assert.Equal(
            "https://contoso.vault.azure.net/keys/transcripts/0123abcd",
            new KeyVaultKeyId(new Uri("https://contoso.vault.azure.net/"), "transcripts", "0123abcd").ToString());
}
