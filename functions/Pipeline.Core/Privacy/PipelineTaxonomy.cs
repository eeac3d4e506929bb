using Microsoft.Extensions.Compliance.Classification;

namespace Pipeline.Core.Privacy;

/// <summary>
/// The one vocabulary of what data is (STYLE 18): event schemas classify their fields with it, and
/// [LoggerMessage] parameters carry the same classes, so an audit row and a log line keep or drop a
/// value for the same reason.
/// </summary>
public static class PipelineTaxonomy
{
    /// <summary>The taxonomy name every class below carries.</summary>
    public const string Name = "Pipeline";

    /// <summary>Not personal: event types, vendor and meeting ids, timestamps, counts. Kept (free text still passes the pattern net).</summary>
    public static DataClassification Safe { get; } = new(Name, nameof(Safe));

    /// <summary>Identifies the person an event is about (email, userName): kept only as its keyed pseudonym.</summary>
    public static DataClassification Subject { get; } = new(Name, nameof(Subject));

    /// <summary>Personal data that is not a subject identifier (names, titles, free text, transcript): never kept.</summary>
    public static DataClassification PersonalData { get; } = new(Name, nameof(PersonalData));

    /// <summary>HR-confidential (scores, certification status, coaching notes): never kept.</summary>
    public static DataClassification HrConfidential { get; } = new(Name, nameof(HrConfidential));

    /// <summary>Secrets, tokens and payload content: never kept.</summary>
    public static DataClassification Secret { get; } = new(Name, nameof(Secret));

    /// <summary>True for the classes an audit row or a log line may hold as they are.</summary>
    public static bool IsKept(DataClassification classification) => classification == Safe;
}

/// <summary>The parameter identifies a person; it is logged as its pseudonym.</summary>
[AttributeUsage(AttributeTargets.Parameter | AttributeTargets.Property | AttributeTargets.Field)]
public sealed class SubjectAttribute() : DataClassificationAttribute(PipelineTaxonomy.Subject);

/// <summary>The parameter is personal data; it is never logged.</summary>
[AttributeUsage(AttributeTargets.Parameter | AttributeTargets.Property | AttributeTargets.Field)]
public sealed class PersonalDataAttribute() : DataClassificationAttribute(PipelineTaxonomy.PersonalData);

/// <summary>The parameter is a secret or payload content; it is never logged.</summary>
[AttributeUsage(AttributeTargets.Parameter | AttributeTargets.Property | AttributeTargets.Field)]
public sealed class SecretAttribute() : DataClassificationAttribute(PipelineTaxonomy.Secret);
