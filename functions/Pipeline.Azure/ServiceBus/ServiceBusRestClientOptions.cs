using Azure.Core;

namespace Pipeline.Azure.ServiceBus;

/// <summary>
/// Options of <see cref="ServiceBusRestPublisher"/>: retry, diagnostics and transport, as every Azure
/// SDK client has them. There is no service version: Service Bus documents that the send operation
/// and its broker-property mapping do not depend on <c>api-version</c>, and the request needs none.
/// </summary>
public sealed class ServiceBusRestClientOptions : ClientOptions
{
}
