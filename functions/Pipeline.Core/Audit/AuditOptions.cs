namespace Pipeline.Core.Audit;

/// <summary>Audit trail settings.</summary>
public sealed class AuditOptions
{
    /// <summary>The configuration section it is bound from.</summary>
    public const string SectionName = "Pipeline:Audit";

    /// <summary>HMAC key that turns subject identifiers into pseudonyms (a Key Vault secret in Azure).</summary>
    public string? PseudonymKey { get; set; }

    /// <summary>
    /// The pseudonym key for code that cannot work without it. Start-up validation guarantees it (at least 32
    /// characters), so a throw here means a caller built these options without that check. A method, not a
    /// property: configuration binding would read a property.
    /// </summary>
    public string RequirePseudonymKey() =>
        PseudonymKey ?? throw new InvalidOperationException("Pipeline:Audit:PseudonymKey is not set.");

    /// <summary>When VerifyAuditChain checks the previous UTC day's chains: six-field NCRONTAB, UTC (app setting <c>AuditVerifySchedule</c>).</summary>
    public string VerifySchedule { get; set; } = "0 30 1 * * *";
}
