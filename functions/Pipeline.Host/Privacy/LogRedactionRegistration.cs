using Microsoft.Extensions.Compliance.Classification;
using Microsoft.Extensions.Compliance.Redaction;
using Pipeline.Core.Audit;
using Pipeline.Core.Configuration;
using Pipeline.Core.Privacy;

namespace Pipeline.Host.Privacy;

internal static class LogRedactionRegistration
{
    /// <summary>
    /// Redaction for audit rows (<see cref="TenantRedaction"/>) and for logs
    /// (Microsoft.Extensions.Compliance.Redaction): personal data is pseudonymised, secrets and
    /// anything classified otherwise are erased.
    /// </summary>
    public static WebApplicationBuilder AddRedaction(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton(sp => new TenantRedaction(
            sp.GetRequiredService<PipelineOptions>(), sp.GetRequiredService<AuditOptions>().PseudonymKey));
        // No per-field discriminator: a subject's log pseudonym is the one its audit rows carry, so
        // an operator can correlate the two (neither names the person).
        builder.Logging.EnableRedaction(options => options.ApplyDiscriminator = false);
        builder.Services.AddRedaction(redaction =>
        {
            redaction.SetRedactor<PseudonymLogRedactor>(new DataClassificationSet(PipelineTaxonomy.Subject));
            redaction.SetRedactor<ErasingRedactor>(new DataClassificationSet(
                [PipelineTaxonomy.PersonalData, PipelineTaxonomy.HrConfidential, PipelineTaxonomy.Secret]));
            redaction.SetFallbackRedactor<ErasingRedactor>();
        });
        return builder;
    }
}
