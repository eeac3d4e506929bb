using Microsoft.Extensions.Compliance.Classification;

namespace Pipeline.Host.Privacy;

/// <summary>
/// Data classes for log parameters. A [LoggerMessage] parameter marked with one of the attributes
/// below is redacted before any logger sees it (<see cref="LogRedactionRegistration"/>).
/// </summary>
internal static class PipelineTaxonomy
{
    public const string Name = "Pipeline";

    /// <summary>Identifies a person (email, userName): logged as its keyed pseudonym.</summary>
    public static DataClassification PersonalData { get; } = new(Name, nameof(PersonalData));

    /// <summary>Secrets, tokens and payload content: erased.</summary>
    public static DataClassification Secret { get; } = new(Name, nameof(Secret));
}

/// <summary>The parameter identifies a person; it is logged as its pseudonym.</summary>
[AttributeUsage(AttributeTargets.Parameter | AttributeTargets.Property | AttributeTargets.Field)]
internal sealed class PersonalDataAttribute() : DataClassificationAttribute(PipelineTaxonomy.PersonalData);

/// <summary>The parameter is a secret or payload content; it is never logged.</summary>
[AttributeUsage(AttributeTargets.Parameter | AttributeTargets.Property | AttributeTargets.Field)]
internal sealed class SecretAttribute() : DataClassificationAttribute(PipelineTaxonomy.Secret);
