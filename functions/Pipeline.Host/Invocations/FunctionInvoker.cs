using System.Text.Json;
using Pipeline.Host.Logging;

namespace Pipeline.Host.Invocations;

/// <summary>Finds a registered trigger function by name and runs it with an invocation payload.</summary>
internal sealed class FunctionInvoker(IEnumerable<FunctionRegistration> registrations, IServiceProvider services, ILogger<FunctionInvoker> logger)
{
    private readonly Dictionary<string, FunctionRegistration> _functions =
        registrations.ToDictionary(r => r.Name, StringComparer.OrdinalIgnoreCase);

    public IEnumerable<string> Names => _functions.Keys;

    /// <summary>Runs the function; an exception is a failed invocation, logged by type only.</summary>
    public async Task<InvocationResult> InvokeAsync(string name, JsonElement payload, CancellationToken cancellationToken = default)
    {
        if (!_functions.TryGetValue(name, out var function))
        {
            return InvocationResult.Failure($"No function named {name}.");
        }

        try
        {
            return await function.InvokeAsync(payload, services, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The cause is logged (exception type and status, never payload) and the host retries.
            Log.FunctionFailed(logger, function.Name, e);
            return InvocationResult.Failure($"{function.Name} failed: {e.GetType().Name}.");
        }
    }
}
