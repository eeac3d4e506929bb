namespace Pipeline.Host.Configuration;

/// <summary>The app's user-assigned managed identity (Azure mode).</summary>
internal sealed class IdentityOptions
{
    /// <summary>The configuration section it is bound from.</summary>
    public const string SectionName = "Pipeline:Identity";

    /// <summary>Client id of the user-assigned identity; every Azure call authenticates as it.</summary>
    public string? ClientId { get; set; }
}
