using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Pipeline.Core.Configuration;
using Pipeline.Host.Configuration;
using Pipeline.Host.Logging;

namespace Pipeline.Host.Invocations;

internal static class InvocationEndpoints
{
    /// <summary>
    /// The invoker, and the check of the flat settings the function.json bindings read (<see cref="BindingSettings"/>):
    /// they matter where functions are invoked; the CLI, which invokes none, does not need them.
    /// </summary>
    public static IServiceCollection AddFunctionInvocations(this IServiceCollection services)
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PipelineOptions>, BindingSettings>());
        return services.AddSingleton<FunctionInvoker>();
    }

    /// <summary>
    /// <c>POST /{FunctionName}</c> for every trigger function: the Functions host's custom handler
    /// protocol. Answers 200 <c>{Outputs, Logs, ReturnValue}</c>, or 500 to fail the invocation.
    /// Mapped only under the Functions host (<see cref="FunctionsHostCaller.IsUnderFunctionsHost"/>):
    /// in Local mode the dispatcher and the timer call <see cref="FunctionInvoker"/> in-process, so
    /// nothing reaching the handler over HTTP can invoke a function. Under the host, only a request
    /// shaped like the host's own invocation is served (<see cref="FunctionsHostCaller.IsHostInvocation"/>).
    /// </summary>
    public static IEndpointRouteBuilder MapFunctionInvocations(this IEndpointRouteBuilder app)
    {
        if (!FunctionsHostCaller.IsUnderFunctionsHost(app.ServiceProvider.GetRequiredService<IConfiguration>()))
        {
            return app;
        }

        var invoker = app.ServiceProvider.GetRequiredService<FunctionInvoker>();
        var logger = app.ServiceProvider.GetRequiredService<ILogger<FunctionInvoker>>();
        foreach (var name in invoker.Names)
        {
            app.MapPost($"/{name}", async (HttpRequest request, CancellationToken cancellationToken) =>
            {
                if (!FunctionsHostCaller.IsHostInvocation(request))
                {
                    // Answered as if there were no such route: a prober learns nothing.
                    Log.ForgedInvocationRefused(logger, name);
                    return Results.NotFound();
                }

                JsonElement payload;
                try
                {
                    using var document = await JsonDocument.ParseAsync(request.Body, cancellationToken: cancellationToken);
                    payload = document.RootElement.Clone();
                }
                catch (JsonException)
                {
                    return Results.Json(
                        new InvocationResponse([$"{name}: the invocation payload is not JSON."]),
                        InvocationJsonContext.Default.InvocationResponse,
                        statusCode: StatusCodes.Status400BadRequest);
                }

                var result = await invoker.InvokeAsync(name, payload, cancellationToken);
                return Results.Json(
                    new InvocationResponse(result.Logs) { ReturnValue = result.ReturnValue?.ToString() },
                    InvocationJsonContext.Default.InvocationResponse,
                    statusCode: result.Succeeded ? StatusCodes.Status200OK : StatusCodes.Status500InternalServerError);
            }).WithName(name).ExcludeFromDescription();
        }

        return app;
    }
}

/// <summary>The custom handler's answer to the Functions host.</summary>
internal sealed record InvocationResponse(IReadOnlyList<string> Logs)
{
    public Dictionary<string, string> Outputs { get; init; } = [];

    public string? ReturnValue { get; init; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.Unspecified, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(InvocationResponse))]
internal sealed partial class InvocationJsonContext : JsonSerializerContext;
