using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using Pipeline.Cli.Local;
using Pipeline.Tests.Infrastructure;
using Spectre.Console.Testing;

namespace Pipeline.Tests.Cli;

/// <summary>
/// The CLI checks its settings with the handler's own validators when it builds its services: a missing or wrong
/// setting stops a command with the validator's message and exit code 2, before it touches anything.
/// </summary>
public sealed partial class CliOptionsValidationTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("pipeline-cli-options-").FullName;

    // RepositoryRoot.Find() looks for Pipeline.sln from the working directory up: the command reads this folder's settings.
    public CliOptionsValidationTests() => File.WriteAllText(Path.Combine(_root, "Pipeline.sln"), "");

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Theory]
    [InlineData("retention run --dry-run", "Pipeline:Retention:BudgetSeconds", "0", "Pipeline:Retention:BudgetSeconds must be between 1 and 3600.")]
    [InlineData("subjects export --tenant acme --subject grace@example.org", "Pipeline:Audit:PseudonymKey", "too-short", "Pipeline:Audit:PseudonymKey is required: at least 32 characters.")]
    [InlineData("audit verify --tenant acme --from 2026-01-01 --to 2026-01-02", "Pipeline:ServiceBus:TopicName", "Bad Topic", "Pipeline:ServiceBus:TopicName (app setting ServiceBusTopicName) must be 3-40 lowercase letters")]
    [InlineData("keys rewrap", "Pipeline:Storage:ConnectionString", "", "Pipeline:Storage:ConnectionString is required in this mode.")]
    [InlineData("secrets status", "Pipeline:Webhooks:RotationDays", "0", "Pipeline:Webhooks:RotationDays must be between 1 and 3650.")]
    [InlineData("deadletter list", "Pipeline:Tenants:acme:Vendors:zoom:Secrets:0", "s", "Pipeline:Tenants:acme:Vendors:zoom: unknown vendor")]
    [InlineData("transcripts get --tenant acme --id tr-1", "Pipeline:Audit:VerifySchedule", "every night", "Pipeline:Audit:VerifySchedule (app setting AuditVerifySchedule) is not a six-field NCRONTAB expression.")]
    public async Task Command_InvalidSetting_ExitsTwoWithTheValidatorsMessage(string command, string key, string value, string expected)
    {
        WriteSettings((key, value));

        var (code, output) = await RunAsync(command);

        Assert.Equal(2, code);
        Assert.Contains(expected, output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Command_AzureModeWithoutItsSettings_NamesEveryMissingKeyAndExitsTwo()
    {
        WriteSettings(("Pipeline:Mode", "Azure"), ("Pipeline:Storage:ConnectionString", ""));

        var (code, output) = await RunAsync("retention run --dry-run");

        Assert.Equal(2, code);
        foreach (var expected in new[]
        {
            "Pipeline:ServiceBus:FullyQualifiedNamespace is required in this mode.",
            "Pipeline:KeyVault:KeyId is required in this mode.",
            "Pipeline:Storage:TableServiceUri is required in Azure mode.",
        })
        {
            Assert.Contains(expected, output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void TryBuild_InvalidSetting_PrintsEveryFailureAndNoValue()
    {
        var console = new TestConsole { EmitAnsiSequences = false };
        console.Profile.Width = 400;
        var configuration = CliConfiguration.Local(
            "UseDevelopmentStorage=true", ("Pipeline:Retention:DeadLetterDays", "0"), ("Pipeline:Audit:PseudonymKey", "SECRETVALUE"));

        Assert.False(CliServices.TryBuild(configuration, console, out _));

        Assert.Contains("Pipeline:Retention:DeadLetterDays must be between 1 and 3650.", console.Output, StringComparison.Ordinal);
        Assert.Contains("Pipeline:Audit:PseudonymKey is required: at least 32 characters.", console.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("SECRETVALUE", console.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Build_ValidLocalSettings_BindsEachFeaturesSection()
    {
        await using var services = CliServices.Build(CliConfiguration.Local(
            "UseDevelopmentStorage=true", ("Pipeline:Retention:DeadLetterDays", "21"), ("RetentionSchedule", "0 0 4 * * *")));

        Assert.Equal(21, services.Get<Pipeline.Azure.Retention.RetentionOptions>().DeadLetterDays);
        Assert.Equal("0 0 4 * * *", services.Get<Pipeline.Azure.Retention.RetentionOptions>().Schedule);
        Assert.Throws<OptionsValidationException>(() => CliServices.Build(CliConfiguration.Local("")));
    }

    private void WriteSettings(params (string Key, string Value)[] overrides)
    {
        var values = new Dictionary<string, string>
        {
            ["Pipeline:Mode"] = "Local",
            ["Pipeline:Storage:ConnectionString"] = "UseDevelopmentStorage=true",
            ["Pipeline:Audit:PseudonymKey"] = Secrets.NewSecret(),
            ["Pipeline:Tenants:acme:Vendors:mindtickle:Secrets:0"] = Secrets.NewSecret(),
        };
        foreach (var (key, value) in overrides)
        {
            values[key] = value;
        }

        File.WriteAllText(Path.Combine(_root, "local.settings.json"), JsonSerializer.Serialize(new { IsEncrypted = false, Values = values }));
    }

    /// <summary>Runs the built CLI in the settings folder; its output with line wrapping undone.</summary>
    private async Task<(int Code, string Output)> RunAsync(string command)
    {
        var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "pipeline"), command.Split(' '))
        {
            WorkingDirectory = _root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["COLUMNS"] = "400";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return (process.ExitCode, Whitespace().Replace(await stdout + " " + await stderr, " "));
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
