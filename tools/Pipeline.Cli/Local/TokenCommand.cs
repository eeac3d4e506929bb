using System.CommandLine;
using Pipeline.Host.Auth;
using Pipeline.Host.Configuration;
using Spectre.Console;

namespace Pipeline.Cli.Local;

/// <summary><c>token</c>: mints a Local mode caller token (SPEC §3.3). Refuses in Azure mode, where Entra ID issues tokens.</summary>
internal static class TokenCommand
{
    public static Command Create()
    {
        var roles = new Option<string[]>("--roles") { Description = "App roles, e.g. Audit.Read Transcripts.Read (or Admin).", Required = true, AllowMultipleArgumentsPerToken = true };
        var tenants = new Option<string[]>("--tenants") { Description = "Tenant ids the token may touch, or *.", Required = true, AllowMultipleArgumentsPerToken = true };
        var oid = new Option<string>("--oid") { Description = "Caller object id recorded in audit rows.", DefaultValueFactory = _ => "local-operator" };
        var minutes = new Option<int>("--minutes") { Description = "Lifetime in minutes.", DefaultValueFactory = _ => 60 };
        var command = new Command("token", "Mint a Local mode bearer token for the RBAC-protected APIs.") { roles, tenants, oid, minutes };
        command.SetAction(result => Mint(
            Split(result.GetValue(roles)!), Split(result.GetValue(tenants)!), result.GetValue(oid)!, result.GetValue(minutes)));
        return command;
    }

    private static int Mint(string[] roles, string[] tenants, string oid, int minutes)
    {
        var configuration = CliSettings.Load(RepositoryRoot.Find());
        if (!string.Equals(configuration["Pipeline:Mode"] ?? "Local", "Local", StringComparison.OrdinalIgnoreCase))
        {
            AnsiConsole.MarkupLine("[red]token works in Local mode only; in Azure, Entra ID issues the tokens.[/]");
            return 2;
        }

        if (minutes < 1 || TimeSpan.FromMinutes(minutes) > LocalTokens.MaxLifetime)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]--minutes must be between 1 and {(int)LocalTokens.MaxLifetime.TotalMinutes}: the handler refuses longer-lived Local mode tokens.[/]");
            return 2;
        }

        if (string.IsNullOrWhiteSpace(oid))
        {
            AnsiConsole.MarkupLine("[red]--oid must not be empty: every access is audited with it.[/]");
            return 2;
        }

        var unknown = roles.Except(CallerRoles.All, StringComparer.Ordinal).ToList();
        if (unknown.Count > 0)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]Unknown role(s): {string.Join(", ", unknown)}. Roles: {string.Join(", ", CallerRoles.All)}.[/]");
            return 2;
        }

        var key = configuration["Pipeline:Auth:LocalSigningKey"];
        if (System.Text.Encoding.UTF8.GetByteCount(key ?? "") < LocalTokens.MinimumKeyBytes)
        {
            AnsiConsole.MarkupLine("[red]Pipeline:Auth:LocalSigningKey is missing or shorter than 32 bytes; run `up` once to generate local.settings.json.[/]");
            return 2;
        }

        if (minutes is < 1 or > 24 * 60)
        {
            AnsiConsole.MarkupLine("[red]--minutes must be between 1 and 1440.[/]");
            return 2;
        }

        Console.WriteLine(LocalTokens.Mint(key!, oid, roles, tenants, TimeProvider.System.GetUtcNow(), TimeSpan.FromMinutes(minutes)));
        return 0;
    }

    /// <summary>Accepts <c>--roles A B</c> and <c>--roles A,B</c> alike.</summary>
    private static string[] Split(string[] values) =>
        values.SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToArray();
}
