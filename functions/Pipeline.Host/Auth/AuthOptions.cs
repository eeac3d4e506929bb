namespace Pipeline.Host.Auth;

/// <summary>Caller authentication.</summary>
internal sealed class AuthOptions
{
    /// <summary>The configuration section it is bound from.</summary>
    public const string SectionName = "Pipeline:Auth";

    /// <summary>Entra ID authority (Azure mode).</summary>
    public string? Authority { get; set; }

    /// <summary>Expected token audience.</summary>
    public string? Audience { get; set; }

    /// <summary>HS256 signing key for Local mode tokens, at least 32 UTF-8 bytes.</summary>
    public string? LocalSigningKey { get; set; }
}
