namespace Pipeline.Host.Invocations;

/// <summary>
/// What a non-HTTP function returns to the Functions host. A failure is answered non-2xx, which
/// fails the invocation: the message is abandoned and redelivered, and dead-lettered after the
/// subscription's <c>maxDeliveryCount</c>. Log lines carry ids and counts only, never payload.
/// </summary>
internal sealed record InvocationResult(bool Succeeded, IReadOnlyList<string> Logs, object? ReturnValue = null)
{
    public static InvocationResult Success(string log, object? returnValue = null) => new(true, [log], returnValue);

    public static InvocationResult Failure(string log) => new(false, [log]);
}
