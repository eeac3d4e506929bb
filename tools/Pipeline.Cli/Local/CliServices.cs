using Azure.Core;
using Azure.Identity;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pipeline.Host.Audit;
using Pipeline.Host.Configuration;
using Pipeline.Host.Retention;
using Pipeline.Host.Transcripts;
using Pipeline.Host.Webhooks;
using Spectre.Console;

namespace Pipeline.Cli.Local;

/// <summary>
/// The handler's services for a CLI command, wired by the handler's own <c>Add…</c> extensions (options, storage,
/// audit, transcripts, retention), so the CLI binds the same settings, checks them with the same validators and
/// opens the same stores the same way instead of a hand-built copy. The CLI's seams: the operator's credential
/// (DefaultAzureCredential) and what a command adds (<c>CliDeadLetters.Register</c>). Nothing is started (no function, timer or
/// hosted service runs); the container only builds objects.
/// </summary>
internal sealed class CliServices : IAsyncDisposable
{
    private readonly WebApplication _app;

    private CliServices(WebApplication app) => _app = app;

    /// <summary>
    /// The services for <paramref name="configuration"/>, its options validated as the handler validates them at
    /// start: <see cref="OptionsValidationException"/> names every key that is missing or wrong.
    /// </summary>
    public static CliServices Build(IConfiguration configuration, Action<IServiceCollection>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.AddConfiguration(configuration);

        // Standard output carries only what a command prints.
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<TokenCredential>(new DefaultAzureCredential());
        builder.Services.AddSingleton(TimeProvider.System);
        builder.AddPipelineOptions();
        builder.AddServiceBusOptions();
        builder.AddWebhookOptions();
        builder.AddStorage();
        builder.AddAudit();
        builder.AddTranscripts();
        builder.AddRetention();
        configure?.Invoke(builder.Services);

        var app = builder.Build();
        app.Services.ValidateOptions();
        return new CliServices(app);
    }

    /// <summary>
    /// <see cref="Build"/>, or false with each failure printed to <paramref name="errors"/>: a command then exits
    /// with its bad-configuration code instead of running half-configured.
    /// </summary>
    public static bool TryBuild(IConfiguration configuration, IAnsiConsole errors, out CliServices services, Action<IServiceCollection>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(errors);
        try
        {
            services = Build(configuration, configure);
            return true;
        }
        catch (OptionsValidationException e)
        {
            errors.MarkupLine("[red]The settings are not valid (local.settings.json, or the environment, which wins):[/]");
            foreach (var failure in e.Failures)
            {
                errors.MarkupLineInterpolated($"[red]  {failure}[/]");
            }

            errors.MarkupLine("On a fresh clone, `up` generates local.settings.json once.");

            services = null!;
            return false;
        }
    }

    /// <summary><see cref="TryBuild(IConfiguration, IAnsiConsole, out CliServices, Action{IServiceCollection}?)"/> over the checkout's settings (<see cref="CliSettings"/>).</summary>
    public static bool TryBuild(IAnsiConsole errors, out CliServices services, Action<IServiceCollection>? configure = null) =>
        TryBuild(CliSettings.Load(RepositoryRoot.Find()), errors, out services, configure);

    public T Get<T>()
        where T : notnull => _app.Services.GetRequiredService<T>();

    /// <summary>The provider itself, for a feature's own factory (<see cref="Host.Subjects.SubjectEndpoints.Records"/>).</summary>
    public IServiceProvider Provider => _app.Services;

    /// <summary>Closes what the container opened (the dead letters' Service Bus client).</summary>
    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
