using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Pipeline.Core.Configuration;
using Pipeline.Core.Events;

namespace Pipeline.Azure.ServiceBus;

/// <summary>
/// Azure mode's publisher: sends each message to the topic over Service Bus's REST send operation
/// (<c>POST https://{namespace}/{topic}/messages</c>, 201 Created), built the Azure SDK way: one
/// <see cref="HttpPipeline"/> with bearer-token authentication and the Azure.Core retry policy, which
/// retries 408, 429, 500, 502, 503, 504 and network failures. Any other answer throws
/// <see cref="RequestFailedException"/> with the status and Service Bus's error code and detail, and
/// so does a namespace that cannot be reached at all (status 0).
/// </summary>
/// <remarks>
/// A retried send after a lost 201 can enqueue the message twice; the <c>MessageId</c> (the event id)
/// lets the topic's duplicate detection drop the copy, and the consumers are idempotent regardless.
/// </remarks>
public sealed class ServiceBusRestPublisher : IEventPublisher
{
    /// <summary>The Entra ID scope of the Service Bus data plane.</summary>
    public const string Scope = "https://servicebus.azure.net/.default";

    private static readonly StatusCodeClassifier Created = new([201]);

    private readonly HttpPipeline _pipeline;
    private readonly Uri _endpoint;
    private readonly string _topicName;

    /// <param name="namespaceEndpoint">The namespace, e.g. <c>https://contoso.servicebus.windows.net</c>; https only, as bearer tokens are sent.</param>
    /// <param name="topicName">The topic; letters, digits, <c>. - _ /</c>, as Service Bus allows.</param>
    /// <param name="credential">The app's identity, granted <c>Azure Service Bus Data Sender</c>.</param>
    /// <param name="options">Retry, diagnostics and transport.</param>
    public ServiceBusRestPublisher(Uri namespaceEndpoint, string topicName, TokenCredential credential, ServiceBusRestClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(namespaceEndpoint);
        ArgumentNullException.ThrowIfNull(credential);
        if (!namespaceEndpoint.IsAbsoluteUri || namespaceEndpoint.Scheme != Uri.UriSchemeHttps)
        {
            throw new ArgumentException("The Service Bus endpoint must be an absolute https URI.", nameof(namespaceEndpoint));
        }

        if (string.IsNullOrEmpty(topicName)
            || !topicName.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' or '/')
            || !char.IsAsciiLetterOrDigit(topicName[0])
            || !char.IsAsciiLetterOrDigit(topicName[^1]))
        {
            throw new ArgumentException("The topic name must be letters, digits, '.', '-', '_' or '/', starting and ending with a letter or digit.", nameof(topicName));
        }

        _endpoint = namespaceEndpoint;
        _topicName = topicName;
        _pipeline = HttpPipelineBuilder.Build(new HttpPipelineOptions(options ?? new ServiceBusRestClientOptions())
        {
            PerRetryPolicies = { new BearerTokenAuthenticationPolicy(credential, Scope) },
            ResponseClassifier = Created,
            RequestFailedDetailsParser = ServiceBusErrorParser.Instance,
        });
    }

    /// <summary>Builds the publisher from <c>Pipeline:ServiceBus</c>.</summary>
    public static ServiceBusRestPublisher Create(ServiceBusOptions options, TokenCredential credential, ServiceBusRestClientOptions? clientOptions = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new ServiceBusRestPublisher(NamespaceEndpoint(options.FullyQualifiedNamespace), options.TopicName, credential, clientOptions);
    }

    /// <summary>
    /// <c>contoso.servicebus.windows.net</c> → <c>https://contoso.servicebus.windows.net/</c>. A full
    /// https URI (the Bicep <c>serviceBusEndpoint</c> output, <c>https://…:443/</c>) is accepted too.
    /// </summary>
    public static Uri NamespaceEndpoint(string? fullyQualifiedNamespace)
    {
        var text = fullyQualifiedNamespace?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            throw new InvalidOperationException("Pipeline:ServiceBus:FullyQualifiedNamespace is not set.");
        }

        var candidate = text.Contains("://", StringComparison.Ordinal) ? text : Uri.UriSchemeHttps + "://" + text;
        if (!Uri.TryCreate(candidate, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps)
        {
            throw new InvalidOperationException("Pipeline:ServiceBus:FullyQualifiedNamespace is not a host name or an https URI.");
        }

        return new Uri(uri.GetLeftPart(UriPartial.Authority));
    }

    /// <inheritdoc />
    public async Task PublishAsync(BusMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        using var httpMessage = CreateSendRequest(message);
        await SendAsync(httpMessage, cancellationToken);
    }

    private HttpMessage CreateSendRequest(BusMessage message)
    {
        // Every header is built and checked before the request exists, so a bad property fails without a send.
        var headers = new List<(string Name, string Value)>(message.Properties.Count + 2)
        {
            (HttpHeader.Names.ContentType, ServiceBusHeaders.ContentType(message.ContentType)),
            (ServiceBusHeaders.BrokerPropertiesName, ServiceBusHeaders.BrokerProperties(message)),
        };
        foreach (var (name, value) in message.Properties)
        {
            headers.Add((ServiceBusHeaders.PropertyName(name), ServiceBusHeaders.PropertyValue(name, value)));
        }

        var httpMessage = _pipeline.CreateMessage();
        var request = httpMessage.Request;
        request.Method = RequestMethod.Post;
        request.Uri.Reset(_endpoint);
        request.Uri.AppendPath(_topicName, escape: false);
        request.Uri.AppendPath("/messages", escape: false);
        foreach (var (name, value) in headers)
        {
            request.Headers.Add(name, value);
        }

        request.Content = RequestContent.Create(message.Body);
        return httpMessage;
    }

    private async Task SendAsync(HttpMessage message, CancellationToken cancellationToken)
    {
        try
        {
            await _pipeline.SendAsync(message, cancellationToken);
        }
        catch (AggregateException e) when (e.InnerExceptions.All(inner => inner is RequestFailedException))
        {
            // When every try fails without an answer (connection refused, reset), Azure.Core's retry policy
            // throws an AggregateException of them. The publisher's callers treat RequestFailedException as
            // "the broker did not take it", so the tries travel inside one, status 0 as Azure.Core uses.
            throw new RequestFailedException(0, $"Service Bus could not be reached after {e.InnerExceptions.Count} tries.", e);
        }

        if (message.Response.Status != 201)
        {
            throw new RequestFailedException(message.Response);
        }
    }
}
