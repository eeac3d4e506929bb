using Azure.Core;

namespace Pipeline.Azure.KeyVault;

/// <summary>Options for <see cref="KeyVaultKeyClient"/>: the REST API version, retries and transport.</summary>
public sealed class KeyVaultKeyClientOptions : ClientOptions
{
    /// <summary>The Key Vault REST API version this client speaks.</summary>
    public const string DefaultApiVersion = "2025-07-01";

    public KeyVaultKeyClientOptions()
    {
        // Key Vault throttles with 429 and Retry-After; the retry policy waits as long as it says.
        Retry.MaxRetries = 4;
    }

    /// <summary>The <c>api-version</c> query value.</summary>
    public string ApiVersion { get; set; } = DefaultApiVersion;

    /// <summary>
    /// When false (the default), a challenge's resource must be a parent domain of the vault's host before
    /// a token is sent, as the Key Vault SDK checks. Tests against a loopback vault turn it off.
    /// </summary>
    public bool DisableChallengeResourceVerification { get; set; }
}
