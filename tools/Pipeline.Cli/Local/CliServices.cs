using Azure.Core;
using Azure.Identity;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Pipeline.Azure.DeadLetters;
using Pipeline.Core.Configuration;
using Pipeline.Host.Audit;
using Pipeline.Host.Configuration;
using Pipeline.Host.Retention;
using Pipeline.Host.Transcripts;

namespace Pipeline.Cli.Local;

/// <summary>
/// The handler's services for a CLI command, wired by the handler's own <c>Add…</c> extensions (storage, audit,
/// transcripts, retention), so the CLI opens the same stores the same way instead of a hand-built copy. The
/// CLI's seams: the operator's credential (DefaultAzureCredential), the options it loaded, its dead-letter
/// store. Nothing is started (no function, timer or hosted service runs); the container only builds objects.
/// </summary>
internal sealed class CliServices
{
    private readonly IServiceProvider _services;

    private CliServices(IServiceProvider services) => _services = services;

    public static CliServices Build(PipelineOptions options, DeadLetterOperations? deadLetters = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = WebApplication.CreateSlimBuilder();

        // Standard output carries only what a command prints.
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<TokenCredential>(new DefaultAzureCredential());
        builder.Services.AddSingleton(TimeProvider.System);
        builder.AddStorage();
        builder.AddAudit();
        builder.AddTranscripts();
        builder.AddRetention();
        builder.Services.AddSingleton(options);
        if (deadLetters is not null)
        {
            builder.Services.AddSingleton(deadLetters);
        }

        return new CliServices(builder.Build().Services);
    }

    public T Get<T>()
        where T : notnull => _services.GetRequiredService<T>();

    /// <summary>The provider itself, for a feature's own factory (<see cref="Host.Subjects.SubjectEndpoints.Records"/>).</summary>
    public IServiceProvider Provider => _services;
}
