using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Pipeline.Core.Configuration;

namespace Pipeline.Host.Configuration;

internal static class ConfigurationExtensions
{
    /// <summary>Binds and validates <c>Pipeline:*</c> at start, and exposes the bound value directly.</summary>
    public static WebApplicationBuilder AddPipelineOptions(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<PipelineOptions>()
            .Bind(builder.Configuration.GetSection(PipelineOptions.SectionName))
            .Configure(options => BindingSettings.Apply(builder.Configuration, options))
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<PipelineOptions>, PipelineOptionsValidator>();
        builder.Services.AddSingleton<IValidateOptions<PipelineOptions>, BindingSettings>();
        builder.Services.AddSingleton(sp => sp.GetRequiredService<IOptions<PipelineOptions>>().Value);
        builder.Services.TryAddSingleton(TimeProvider.System);
        return builder;
    }

    /// <summary>The mode, read before the container exists (it decides which services to register).</summary>
    public static PipelineMode PipelineMode(this IConfiguration configuration) =>
        configuration.GetValue($"{PipelineOptions.SectionName}:Mode", Core.Configuration.PipelineMode.Local);
}
