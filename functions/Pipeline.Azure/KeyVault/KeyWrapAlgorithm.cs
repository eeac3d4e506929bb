namespace Pipeline.Azure.KeyVault;

/// <summary>The key wrap algorithm every key-encryption key here uses.</summary>
public static class KeyWrapAlgorithm
{
    /// <summary>RSA-OAEP with SHA-256 and MGF1-SHA-256, Key Vault's <c>RSA-OAEP-256</c>.</summary>
    public const string RsaOaep256 = "RSA-OAEP-256";

    internal static void EnsureSupported(string algorithm)
    {
        if (!string.Equals(algorithm, RsaOaep256, StringComparison.Ordinal))
        {
            throw new NotSupportedException($"Key wrap algorithm '{algorithm}' is not supported; use {RsaOaep256}.");
        }
    }
}
