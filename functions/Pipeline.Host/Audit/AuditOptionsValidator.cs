using Microsoft.Extensions.Options;
using NCrontab;
using Pipeline.Core.Audit;
using Pipeline.Host.Configuration;

namespace Pipeline.Host.Audit;

/// <summary>
/// The audit trail's settings, checked at start beside the feature that writes it: the pseudonym key (the chain
/// key derives from it) and the daily verification's schedule. Names keys, never values.
/// </summary>
internal sealed class AuditOptionsValidator : IValidateOptions<AuditOptions>
{
    public ValidateOptionsResult Validate(string? name, AuditOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (CrontabSchedule.TryParse(options.VerifySchedule, new CrontabSchedule.ParseOptions { IncludingSeconds = true }) is null)
        {
            failures.Add($"Pipeline:Audit:VerifySchedule (app setting {BindingSettings.AuditVerifySchedule}) is not a six-field NCRONTAB expression.");
        }

        if (options.PseudonymKey is not { Length: >= 32 })
        {
            failures.Add("Pipeline:Audit:PseudonymKey is required: at least 32 characters.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
