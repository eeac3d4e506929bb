namespace Pipeline.Azure.Storage;

/// <summary>Storage endpoints.</summary>
public sealed class StorageOptions
{
    /// <summary>The configuration section it is bound from.</summary>
    public const string SectionName = "Pipeline:Storage";

    /// <summary>Connection string; <c>UseDevelopmentStorage=true</c> for Azurite.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>Table endpoint used with managed identity in Azure mode.</summary>
    public Uri? TableServiceUri { get; set; }

    /// <summary>Queue endpoint used with managed identity in Azure mode.</summary>
    public Uri? QueueServiceUri { get; set; }
}
