using Microsoft.Extensions.Options;
using Pipeline.Core.Configuration;

namespace Pipeline.Host.Configuration;

/// <summary>
/// The app settings the function.json bindings read: <c>%ServiceBusTopicName%</c> (the Service Bus
/// triggers), <c>%RetentionSchedule%</c> and <c>%AuditVerifySchedule%</c> (the timers). They are flat names because the platform's scale
/// controller resolves binding expressions by the literal setting name and does not map <c>:</c> to
/// <c>__</c> (azure-functions-host#8261): a nested name would leave the functions un-woken on Flex
/// Consumption. The handler reads the same two settings, so the triggers, the publisher and the Local mode
/// timer always agree; <c>Pipeline:ServiceBus:TopicName</c> and <c>Pipeline:Retention:Schedule</c> remain
/// as defaults for hosts that run no function.json (tests, benchmarks).
/// </summary>
internal sealed class BindingSettings(IConfiguration configuration) : IValidateOptions<PipelineOptions>
{
    /// <summary>The topic the Service Bus triggers listen on and the ingress publishes to.</summary>
    public const string TopicName = "ServiceBusTopicName";

    /// <summary>The retention timer's six-field NCRONTAB schedule.</summary>
    public const string RetentionSchedule = "RetentionSchedule";

    /// <summary>The audit chain verification timer's six-field NCRONTAB schedule.</summary>
    public const string AuditVerifySchedule = "AuditVerifySchedule";

    private const string NestedTopicName = "Pipeline:ServiceBus:TopicName";
    private const string NestedRetentionSchedule = "Pipeline:Retention:Schedule";
    private const string NestedAuditVerifySchedule = "Pipeline:Audit:VerifySchedule";

    /// <summary>Every setting a function.json binding expression names; Azure mode requires each.</summary>
    public static IReadOnlyList<string> All { get; } = [TopicName, RetentionSchedule, AuditVerifySchedule];

    /// <summary>The flat setting's value when it is set (it is what the binding reads), otherwise <paramref name="bound"/>.</summary>
    public static string Override(IConfiguration configuration, string flat, string bound) =>
        configuration[flat] is { Length: > 0 } value ? value : bound;

    public ValidateOptionsResult Validate(string? name, PipelineOptions options)
    {
        var failures = new List<string>();
        Agree(TopicName, NestedTopicName, failures);
        Agree(RetentionSchedule, NestedRetentionSchedule, failures);
        Agree(AuditVerifySchedule, NestedAuditVerifySchedule, failures);
        if (options.Mode == PipelineMode.Azure)
        {
            foreach (var setting in All.Where(s => string.IsNullOrWhiteSpace(configuration[s])))
            {
                failures.Add($"{setting} is required in Azure mode: the function.json bindings read it.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    // Two different values would have the triggers listen on one and the handler use the other.
    private void Agree(string flat, string nested, List<string> failures)
    {
        if (configuration[flat] is { Length: > 0 } flatValue && configuration[nested] is { Length: > 0 } nestedValue
            && !string.Equals(flatValue, nestedValue, StringComparison.Ordinal))
        {
            failures.Add($"{flat} and {nested} are both set and differ; set {flat} only.");
        }
    }
}
