using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Pipeline.Core.Configuration;

namespace Pipeline.Host.Configuration;

internal static class ConfigurationExtensions
{
    /// <summary>Binds and validates what spans features (<c>Pipeline</c>: mode, tenants, access) at start.</summary>
    public static WebApplicationBuilder AddPipelineOptions(this WebApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<PipelineOptions, PipelineOptionsValidator>(PipelineOptions.SectionName);
        builder.Services.TryAddSingleton(TimeProvider.System);
        return builder;
    }

    /// <summary>
    /// Binds <typeparamref name="TOptions"/> from its own <paramref name="section"/>, checks it with
    /// <typeparamref name="TValidator"/> at start (the CLI: when it builds its services, <see cref="ValidateOptions"/>),
    /// and gives constructors the bound value. A second call for the same options does nothing, so two features
    /// that use the same settings may both ask for them.
    /// </summary>
    public static IServiceCollection AddValidatedOptions<TOptions, TValidator>(
        this IServiceCollection services, string section, Action<TOptions, IConfiguration>? configure = null)
        where TOptions : class
        where TValidator : class, IValidateOptions<TOptions>
    {
        if (services.Any(d => d.ServiceType == typeof(IValidateOptions<TOptions>) && d.ImplementationType == typeof(TValidator)))
        {
            return services;
        }

        var options = services.AddOptions<TOptions>().BindConfiguration(section);
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.AddSingleton<IValidateOptions<TOptions>, TValidator>();
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<TOptions>>().Value);
        return services;
    }

    /// <summary>
    /// Runs every options check registered to run at start, now, and reports all failures as one exception (the
    /// host reports each options type apart). The CLI calls it when it builds its services, tests to read the failures.
    /// </summary>
    public static void ValidateOptions(this IServiceProvider services)
    {
        try
        {
            services.GetRequiredService<IStartupValidator>().Validate();
        }
        catch (AggregateException e) when (e.InnerExceptions.All(i => i is OptionsValidationException))
        {
            // Named after the options everything hangs from: the failures are several features' together.
            var failures = e.InnerExceptions.Cast<OptionsValidationException>().SelectMany(i => i.Failures);
            throw new OptionsValidationException(Options.DefaultName, typeof(PipelineOptions), failures);
        }
    }

    /// <summary>The mode, read before the container exists (it decides which services to register).</summary>
    public static PipelineMode PipelineMode(this IConfiguration configuration) =>
        configuration.GetValue($"{PipelineOptions.SectionName}:Mode", Core.Configuration.PipelineMode.Local);
}
