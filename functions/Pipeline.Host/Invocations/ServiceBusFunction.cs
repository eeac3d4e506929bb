using Pipeline.Core.Events;
using Pipeline.Core.Telemetry;
using Pipeline.Host.Telemetry;

namespace Pipeline.Host.Invocations;

internal static class ServiceBusFunction
{
    /// <summary>
    /// A Service Bus-triggered function over pipeline events: decodes the message and the event, then
    /// hands it to <paramref name="handleAsync"/>. A message that is not an event fails every delivery
    /// and so ends in the dead-letter queue, where an operator can see it; nothing is dropped.
    /// </summary>
    public static FunctionRegistration Create(
        string name,
        string subscription,
        Func<PipelineEvent, ReceivedMessage, IServiceProvider, CancellationToken, Task<InvocationResult>> handleAsync) =>
        new(name, async (payload, services, cancellationToken) =>
        {
            if (ReceivedMessage.TryParse(payload) is not { } message)
            {
                return InvocationResult.Failure($"{name}: the invocation carries no message.");
            }

            if (EventSerializer.TryDeserialize(message.Body) is not { } pipelineEvent)
            {
                return InvocationResult.Failure($"{name}: message {message.MessageId} is not a pipeline event.");
            }

            // The webhook's trace continues here; the span and the metrics name the function, never the payload.
            using var span = ConsumerSpan.Start(name, message.ApplicationProperties, pipelineEvent);
            try
            {
                var result = await handleAsync(pipelineEvent, message, services, cancellationToken);
                if (result.Succeeded)
                {
                    var latency = services.GetRequiredService<TimeProvider>().GetUtcNow() - pipelineEvent.ReceivedAt;
                    PipelineMetrics.EventProcessed(name, pipelineEvent.Vendor, pipelineEvent.Tenant, latency);
                }
                else
                {
                    ConsumerSpan.Fail(span, "failed");
                    PipelineMetrics.ConsumerFailed(name, "failed");
                }

                return result;
            }
            catch (Exception e)
            {
                ConsumerSpan.Fail(span, e.GetType().Name);
                PipelineMetrics.ConsumerFailed(name, e.GetType().Name);
                throw;
            }
        }) { Subscription = subscription };
}
