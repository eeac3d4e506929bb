using Pipeline.Core.Events;

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

            return await handleAsync(pipelineEvent, message, services, cancellationToken);
        });
}
