using Azure;
using Azure.Identity;
using Azure.Messaging.ServiceBus;

namespace Pipeline.Azure.Resilience;

/// <summary>
/// The one rule for "an Azure service, or the way to it, failed: try again later". Every catch that answers
/// 503, keeps work for the next run or tells an operator "could not be reached" filters on it, so they all
/// agree on what is worth a retry. Bugs (argument, null, invalid operation) are not in it, and neither is the
/// caller going away (its own token cancelled): those propagate.
/// </summary>
public static class TransientFailure
{
    /// <summary>True when <paramref name="exception"/> is an infrastructure failure worth retrying later.</summary>
    /// <param name="exception">What was thrown.</param>
    /// <param name="cancellationToken">The caller's token: a cancellation it asked for is no failure.</param>
    public static bool Is(Exception exception, CancellationToken cancellationToken = default) => exception switch
    {
        // A timeout (ours or the SDK's), unless the caller itself cancelled.
        OperationCanceledException => !cancellationToken.IsCancellationRequested,

        // Table Storage, queues and Key Vault answered with an error, or the transport failed.
        RequestFailedException or HttpRequestException or TimeoutException => true,

        // Azure.Core reports retries exhausted without an answer as an AggregateException of the attempts.
        AggregateException => true,

        // The broker: busy, unreachable, entity missing, quota; the SDK has already retried what it retries.
        ServiceBusException => true,

        // No token right now (identity endpoint, a developer not signed in) or a token the broker refused.
        AuthenticationFailedException or UnauthorizedAccessException => true,

        _ => false,
    };
}
