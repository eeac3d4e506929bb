using System.Text.Json;

namespace Pipeline.Host.Invocations;

/// <summary>
/// A trigger function the Functions host invokes with <c>POST /{Name}</c> (Service Bus and timer
/// triggers). Each feature registers its own; the Local mode dispatcher calls the same delegate.
/// </summary>
internal sealed record FunctionRegistration(
    string Name,
    Func<JsonElement, IServiceProvider, CancellationToken, Task<InvocationResult>> InvokeAsync)
{
    /// <summary>
    /// The function's trigger has <c>"cardinality": "many"</c> in its function.json: the host sends a batch
    /// of messages in one invocation and settles them together, and Local mode's dispatcher does the same.
    /// </summary>
    public bool ReceivesBatches { get; init; }

    /// <summary>
    /// The topic subscription a Service Bus trigger listens to (its function.json <c>subscriptionName</c>);
    /// null for other triggers. Local mode's dispatcher pumps the subscription's queue into the function.
    /// </summary>
    public string? Subscription { get; init; }

    /// <summary>
    /// A timer trigger's NCRONTAB schedule, read from the feature's options the function.json's <c>%…%</c>
    /// setting binds to; null for other triggers. Local mode's timer runs the function on it.
    /// </summary>
    public Func<IServiceProvider, string>? Schedule { get; init; }
}
