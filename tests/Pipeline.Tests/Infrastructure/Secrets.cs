using System.Security.Cryptography;

namespace Pipeline.Tests.Infrastructure;

/// <summary>Secrets made at run time: no test secret is ever committed.</summary>
internal static class Secrets
{
    public static string NewSecret() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    public static string NewWhsec() => "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public static string NewTenant() => $"tenant-{Guid.NewGuid():N}"[..20];
}
