using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using Pipeline.Azure.ServiceBus;
using Pipeline.Core.Configuration;

namespace Pipeline.Host.Configuration;

/// <summary>
/// The topic events are published to, checked at start where publishing is registered: its name, its duplicate
/// detection window, and in Azure mode the namespace. Names keys, never values.
/// </summary>
internal sealed partial class ServiceBusOptionsValidator(IConfiguration configuration) : IValidateOptions<ServiceBusOptions>
{
    public ValidateOptionsResult Validate(string? name, ServiceBusOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.DuplicateDetectionWindow < TimeSpan.Zero || options.DuplicateDetectionWindow > TimeSpan.FromDays(7))
        {
            failures.Add("Pipeline:ServiceBus:DuplicateDetectionWindow must be between 00:00:00 and 7.00:00:00 (Service Bus allows at most seven days).");
        }

        if (!TopicName().IsMatch(options.TopicName ?? ""))
        {
            // Also a valid queue-name prefix, as Local mode names its subscription queues after the topic.
            failures.Add($"Pipeline:ServiceBus:TopicName (app setting {BindingSettings.TopicName}) must be 3-40 lowercase letters, digits and single hyphens.");
        }

        if (configuration.PipelineMode() == PipelineMode.Azure && string.IsNullOrWhiteSpace(options.FullyQualifiedNamespace))
        {
            failures.Add("Pipeline:ServiceBus:FullyQualifiedNamespace is required in this mode.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    [GeneratedRegex("^(?=.{3,40}$)[a-z0-9]+(-[a-z0-9]+)*$")]
    private static partial Regex TopicName();
}
