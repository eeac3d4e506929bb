using Microsoft.Extensions.Options;
using NCrontab;
using Pipeline.Azure.Retention;
using Pipeline.Host.Configuration;

namespace Pipeline.Host.Retention;

/// <summary>
/// The retention settings, checked at start beside the feature that runs them: a six-field NCRONTAB schedule,
/// a run budget and the dead-letter age. Names keys, never values.
/// </summary>
internal sealed class RetentionOptionsValidator : IValidateOptions<RetentionOptions>
{
    public ValidateOptionsResult Validate(string? name, RetentionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (CrontabSchedule.TryParse(options.Schedule, new CrontabSchedule.ParseOptions { IncludingSeconds = true }) is null)
        {
            failures.Add($"Pipeline:Retention:Schedule (app setting {BindingSettings.RetentionSchedule}) is not a six-field NCRONTAB expression.");
        }

        if (options.BudgetSeconds is < 1 or > 3600)
        {
            failures.Add("Pipeline:Retention:BudgetSeconds must be between 1 and 3600.");
        }

        if (options.DeadLetterDays is < 1 or > 3650)
        {
            failures.Add("Pipeline:Retention:DeadLetterDays must be between 1 and 3650.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
