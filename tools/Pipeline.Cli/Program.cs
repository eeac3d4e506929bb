using System.CommandLine;
using Pipeline.Cli.Audit;
using Pipeline.Cli.DeadLetters;
using Pipeline.Cli.Keys;
using Pipeline.Cli.Local;
using Pipeline.Cli.Publish;
using Pipeline.Cli.Reports;
using Pipeline.Cli.Retention;
using Pipeline.Cli.Secrets;
using Pipeline.Cli.Send;
using Pipeline.Cli.Subjects;
using Pipeline.Cli.Telemetry;
using Pipeline.Cli.Transcripts;

// The operator CLI (SPEC §7). Every command reads the same configuration as the handler.
var root = new RootCommand("Pipeline operator CLI: run the pipeline locally, send signed webhooks, read and manage what it holds, publish the function app.")
{
    UpCommand.Create(),
    SendCommand.Create(),
    TokenCommand.Create(),
    AuditCommand.Create(),
    TranscriptsCommand.Create(),
    KeysCommand.Create(),
    SubjectsCommand.Create(),
    RetentionCommand.Create(),
    DeadLetterCommand.Create(),
    SecretsCommand.Create(),
    ReportCommand.Create(),
    PublishCommand.Create(),
};

// One span per command when the environment names an exporter; the command's name only, never its arguments.
var parsed = root.Parse(args);
using var telemetry = CliTelemetry.Start(parsed.CommandResult.Command.Name);

// Ctrl+C cancels the command's token; give `up` time to stop the handler and Azurite it started.
return await parsed.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(15) });
