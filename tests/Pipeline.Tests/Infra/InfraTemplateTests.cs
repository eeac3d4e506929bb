using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Pipeline.Host.Auth;
using Pipeline.Host.Configuration;

namespace Pipeline.Tests.Infra;

/// <summary>
/// infra/ compiles and lints clean, and what it would deploy (the snapshot of main.bicep with the example
/// main.bicepparam, and with a mid-rotation parameter set) holds the security properties and the settings
/// the handler and its bindings read.
/// </summary>
public sealed partial class InfraTemplateTests(BicepFixture fixture) : IClassFixture<BicepFixture>
{
    private const string RoleAssignments = "/providers/Microsoft.Authorization/roleAssignments/";
    private const string ApiClientIdVariable = "PIPELINE_API_CLIENT_ID";

    // Built-in role definition ids (the same in every Azure tenant).
    private const string MonitoringMetricsPublisher = "3913510d-42f4-4e42-8a64-420c390055eb";
    private const string StorageTableDataContributor = "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3";
    private const string StorageBlobDataOwner = "b7e6dc6d-f1e8-4753-8033-0f276bb0955b";
    private const string ServiceBusDataSender = "69a216fc-b8fb-44d8-bc22-1f3c2cd27a39";
    private const string ServiceBusDataOwner = "090c5cfd-751d-490a-894a-3ce6f1109419";
    private const string KeyVaultCryptoUser = "12338af0-0e69-4776-bea7-57ae8d297424";
    private const string KeyVaultSecretsUser = "4633458b-17de-408a-b874-0445c86b69e6";

    [Fact]
    public void Build_EveryBicepFile_CompilesWithoutDiagnostics()
    {
        fixture.Build.AssertClean();
        Assert.Contains("main.bicep", fixture.BicepFiles);
        Assert.Contains(fixture.BicepFiles, f => f.StartsWith("modules/", StringComparison.Ordinal));
        Assert.Equal(fixture.BicepFiles, fixture.CompiledJson.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Lint_EveryBicepAndParameterFile_ReportsNothing()
    {
        fixture.Lint.AssertClean();
    }

    [Fact]
    public void Snapshot_ExampleAndRotationParameters_ExpandEveryResourceWithoutWarnings()
    {
        foreach (var snapshot in new[] { fixture.Example, fixture.Rotation })
        {
            snapshot.Run.AssertClean();
            Assert.DoesNotContain("Warning", snapshot.Run.StandardOutput + snapshot.Run.StandardError, StringComparison.Ordinal);
            Assert.Empty(JsonNode.Parse(snapshot.Json)!["diagnostics"]!.AsArray());
            // A nested deployment the snapshot could not expand would stay a deployments resource.
            Assert.DoesNotContain(snapshot.Resources, r => Type(r) == "Microsoft.Resources/deployments");
            Assert.NotEmpty(snapshot.Resources);
        }
    }

    [Fact]
    public void Sources_Modules_AreLocalFilesNotRegistryModules()
    {
        var modules = 0;
        foreach (var file in Directory.EnumerateFiles(fixture.InfraDirectory, "*.bicep", SearchOption.AllDirectories))
        {
            foreach (Match module in ModuleReference().Matches(File.ReadAllText(file)))
            {
                modules++;
                var path = module.Groups["path"].Value;
                Assert.DoesNotMatch("^(br|ts)[:/]", path);
                Assert.True(File.Exists(Path.Combine(Path.GetDirectoryName(file)!, path)), $"{file}: module '{path}' is not a local file.");
            }
        }

        Assert.True(modules >= 5, $"main.bicep should compose the modules; found {modules} module references.");
        Assert.DoesNotContain("moduleAliases", File.ReadAllText(Path.Combine(fixture.InfraDirectory, "bicepconfig.json")), StringComparison.Ordinal);
    }

    [Fact]
    public void Templates_EveryParameter_HasDescription()
    {
        foreach (var (file, json) in fixture.CompiledJson)
        {
            var parameters = JsonNode.Parse(json)!["parameters"]?.AsObject() ?? [];
            foreach (var (name, parameter) in parameters)
            {
                var description = (string?)parameter!["metadata"]?["description"];
                Assert.False(string.IsNullOrWhiteSpace(description), $"{file}: parameter '{name}' has no @description.");
            }
        }
    }

    [Fact]
    public void Templates_Everywhere_NoKeysConnectionStringsOrSecretValues()
    {
        string[] forbidden =
        [
            "listKeys", "listConnectionStrings", "listAccountSas", "listServiceSas", "listAuthKeys", "listCredentials",
            "AccountKey", "SharedAccessKey", "SharedAccessSignature", "authorizationRules", "DefaultEndpointsProtocol",
            "UseDevelopmentStorage", "InstrumentationKey", "EndpointSuffix=",
        ];
        var texts = fixture.CompiledJson
            .Append(KeyValuePair.Create("example snapshot", fixture.Example.Json))
            .Append(KeyValuePair.Create("rotation snapshot", fixture.Rotation.Json))
            .ToList();
        Assert.NotEmpty(fixture.SecretEnvironment);
        foreach (var (file, text) in texts)
        {
            foreach (var token in forbidden)
            {
                Assert.False(text.Contains(token, StringComparison.OrdinalIgnoreCase), $"{file} contains '{token}'.");
            }

            // The API's client id is read from the environment too, but it is an identifier, not a secret.
            foreach (var secret in fixture.SecretEnvironment.Where(e => e.Key != ApiClientIdVariable).Select(e => e.Value).Concat(BicepFixture.RotationSecrets))
            {
                Assert.False(text.Contains(secret, StringComparison.Ordinal), $"{file} contains a secret parameter's value.");
            }
        }

        // The one connection string: Application Insights ingestion, which grants nothing while the
        // component accepts Entra-authenticated telemetry only.
        var connectionStrings = AppSettings()
            .Where(s => s.Key.Replace("_", "", StringComparison.Ordinal).Contains("connectionstring", StringComparison.OrdinalIgnoreCase))
            .ToList();
        var appInsights = Assert.Single(connectionStrings);
        Assert.Equal("APPLICATIONINSIGHTS_CONNECTION_STRING", appInsights.Key);
        var component = Single("Microsoft.Insights/components");
        Assert.Equal($"[reference('{Id(component)}', '2020-02-02').ConnectionString]", (string?)appInsights.Value);
        Assert.True(Properties(component)["DisableLocalAuth"]!.GetValue<bool>());
        Assert.StartsWith("[format('ClientId={0};Authorization=AAD'", (string?)AppSettings()["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"], StringComparison.Ordinal);
    }

    [Fact]
    public void Storage_Account_SharedKeyAndPublicAccessOffTls12HttpsOnly()
    {
        var storage = Properties(Single("Microsoft.Storage/storageAccounts"));

        Assert.False(storage["allowSharedKeyAccess"]!.GetValue<bool>());
        Assert.False(storage["allowBlobPublicAccess"]!.GetValue<bool>());
        Assert.True(storage["supportsHttpsTrafficOnly"]!.GetValue<bool>());
        Assert.Equal("TLS1_2", (string?)storage["minimumTlsVersion"]);
        var containers = OfType("Microsoft.Storage/storageAccounts/blobServices/containers").ToList();
        Assert.Equal(["app-package", "azure-webjobs-hosts", "azure-webjobs-secrets"], containers.Select(LastSegment).Order(StringComparer.Ordinal));
        Assert.All(containers, c => Assert.Equal("None", (string?)Properties(c)["publicAccess"]));
    }

    [Fact]
    public void KeyVault_Vault_RbacSoftDeleteAndPurgeProtection()
    {
        var vault = Properties(Single("Microsoft.KeyVault/vaults"));

        Assert.True(vault["enableRbacAuthorization"]!.GetValue<bool>());
        Assert.True(vault["enableSoftDelete"]!.GetValue<bool>());
        Assert.True(vault["enablePurgeProtection"]!.GetValue<bool>());
        Assert.Equal(90, vault["softDeleteRetentionInDays"]!.GetValue<int>());
        Assert.Null(vault["accessPolicies"]);
    }

    [Fact]
    public void KeyVault_Key_Rsa3072RotatedYearlyWithExpiryNotice()
    {
        var key = Properties(Single("Microsoft.KeyVault/vaults/keys"));
        var actions = key["rotationPolicy"]!["lifetimeActions"]!.AsArray();

        Assert.Equal("RSA", (string?)key["kty"]);
        Assert.Equal(3072, key["keySize"]!.GetValue<int>());
        Assert.Contains(actions, a => (string?)a!["action"]!["type"] == "rotate" && (string?)a["trigger"]!["timeAfterCreate"] == "P1Y");
        Assert.Contains(actions, a => (string?)a!["action"]!["type"] == "notify" && a["trigger"]!["timeBeforeExpiry"] is not null);
        Assert.NotNull((string?)key["rotationPolicy"]!["attributes"]!["expiryTime"]);
    }

    [Fact]
    public void ServiceBus_Namespace_StandardWithLocalAuthDisabled()
    {
        var serviceBus = Single("Microsoft.ServiceBus/namespaces");

        Assert.Equal("Standard", (string?)serviceBus["sku"]!["name"]);
        Assert.True(Properties(serviceBus)["disableLocalAuth"]!.GetValue<bool>());
        Assert.Equal("1.2", (string?)Properties(serviceBus)["minimumTlsVersion"]);
    }

    [Fact]
    public void ServiceBus_Topic_DetectsDuplicatesOverTheParameterisedWindow()
    {
        var topic = Single("Microsoft.ServiceBus/namespaces/topics");
        var window = JsonNode.Parse(fixture.CompiledJson["main.bicep"])!["parameters"]!["duplicateDetectionWindow"]!;

        Assert.Equal("pipeline-events", LastSegment(topic));
        Assert.True(Properties(topic)["requiresDuplicateDetection"]!.GetValue<bool>());
        Assert.Equal("P1D", (string?)window["defaultValue"]);
        Assert.Equal("P1D", (string?)Properties(topic)["duplicateDetectionHistoryTimeWindow"]);
    }

    [Fact]
    public void ServiceBus_Subscriptions_FilteredRetriedTenTimesAndDeadLettered()
    {
        var subscriptions = OfType("Microsoft.ServiceBus/namespaces/topics/subscriptions").ToList();

        Assert.Equal(["audit", "transcripts"], subscriptions.Select(LastSegment).Order(StringComparer.Ordinal));
        foreach (var subscription in subscriptions)
        {
            Assert.StartsWith(Id(Single("Microsoft.ServiceBus/namespaces/topics")) + "/", Id(subscription), StringComparison.Ordinal);
            Assert.Equal(10, Properties(subscription)["maxDeliveryCount"]!.GetValue<int>());
            Assert.True(Properties(subscription)["deadLetteringOnMessageExpiration"]!.GetValue<bool>());
        }

        Assert.Equal("hasTranscript = TRUE", OnlySqlFilter("transcripts"));
        Assert.Equal("1=1", OnlySqlFilter("audit"));
    }

    [Fact]
    public void RoleAssignments_EveryOne_ScopedToOneResourceWithTheExpectedRole()
    {
        string[] expected =
        [
            $"Microsoft.Insights/components {MonitoringMetricsPublisher}",
            $"Microsoft.KeyVault/vaults {KeyVaultSecretsUser}",
            $"Microsoft.KeyVault/vaults/keys/transcript-kek {KeyVaultCryptoUser}",
            $"Microsoft.ServiceBus/namespaces/topics/pipeline-events {ServiceBusDataSender}",
            // Owner of each subscription, not Receiver: the target-based scaler reads its message count (Manage). It
            // includes receiving from the subscription's dead-letter subqueue, which retention and subject erasure need.
            $"Microsoft.ServiceBus/namespaces/topics/subscriptions/audit {ServiceBusDataOwner}",
            $"Microsoft.ServiceBus/namespaces/topics/subscriptions/transcripts {ServiceBusDataOwner}",
            // Blob Data Owner on the host's containers and the deployment container only; no queue role (Local mode only).
            $"Microsoft.Storage/storageAccounts/blobServices/containers/app-package {StorageBlobDataOwner}",
            $"Microsoft.Storage/storageAccounts/blobServices/containers/azure-webjobs-hosts {StorageBlobDataOwner}",
            $"Microsoft.Storage/storageAccounts/blobServices/containers/azure-webjobs-secrets {StorageBlobDataOwner}",
            $"Microsoft.Storage/storageAccounts {StorageTableDataContributor}",
        ];
        var identity = Id(Single("Microsoft.ManagedIdentity/userAssignedIdentities"));
        var roleDefinitions = $"/subscriptions/{BicepFixture.SubscriptionId}/providers/Microsoft.Authorization/roleDefinitions/";

        var actual = new List<string>();
        foreach (var assignment in OfType("Microsoft.Authorization/roleAssignments"))
        {
            // The id is "{scope}/providers/Microsoft.Authorization/roleAssignments/{name}", or while the name
            // still waits on the principal id, extensionResourceId('{scope}', 'Microsoft.Authorization/roleAssignments', ...).
            var id = Id(assignment);
            var extension = ExtensionResourceScope().Match(id);
            var at = id.IndexOf(RoleAssignments, StringComparison.Ordinal);
            Assert.True(extension.Success || at > 0, $"Role assignment {id} has no resource scope.");
            var scopeId = extension.Success ? extension.Groups["scope"].Value : id[..at];
            // The scope is exactly one resource the template deploys: not the group, not the subscription.
            var scope = Assert.Single(fixture.Example.Resources, r => Id(r) == scopeId);
            var properties = Properties(assignment);
            var roleDefinitionId = (string)properties["roleDefinitionId"]!;
            Assert.StartsWith(roleDefinitions, roleDefinitionId, StringComparison.Ordinal);
            Assert.Equal($"[reference('{identity}', '2023-01-31').principalId]", (string?)properties["principalId"]);
            Assert.Equal("ServicePrincipal", (string?)properties["principalType"]);
            Assert.StartsWith("[guid(", (string?)assignment["name"], StringComparison.Ordinal);

            var type = Type(scope);
            var label = type.Count(c => c == '/') > 1 ? $"{type}/{LastSegment(scope)}" : type;
            actual.Add($"{label} {roleDefinitionId[roleDefinitions.Length..]}");
        }

        Assert.Equal(expected.Order(StringComparer.Ordinal), actual.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void FunctionApp_Plan_FlexConsumptionLinux()
    {
        var plan = Single("Microsoft.Web/serverfarms");

        Assert.Equal("FC1", (string?)plan["sku"]!["name"]);
        Assert.Equal("FlexConsumption", (string?)plan["sku"]!["tier"]);
        Assert.True(Properties(plan)["reserved"]!.GetValue<bool>());
    }

    [Fact]
    public void FunctionApp_Site_CustomHandlerHttpsOnlyTls12NoFtpNoBasicAuth()
    {
        var site = Single("Microsoft.Web/sites");
        var properties = Properties(site);
        var identity = Id(Single("Microsoft.ManagedIdentity/userAssignedIdentities"));
        var config = properties["functionAppConfig"]!;
        var deployment = config["deployment"]!["storage"]!;

        Assert.Equal("functionapp,linux", (string?)site["kind"]);
        Assert.Equal(Id(Single("Microsoft.Web/serverfarms")), (string?)properties["serverFarmId"]);
        Assert.True(properties["httpsOnly"]!.GetValue<bool>());
        Assert.Equal("1.2", (string?)properties["siteConfig"]!["minTlsVersion"]);
        Assert.Equal("Disabled", (string?)properties["siteConfig"]!["ftpsState"]);
        Assert.Equal("custom", (string?)config["runtime"]!["name"]);
        Assert.Equal("1.0", (string?)config["runtime"]!["version"]);
        Assert.Equal("blobContainer", (string?)deployment["type"]);
        Assert.EndsWith("'app-package')]", (string?)deployment["value"], StringComparison.Ordinal);
        Assert.Equal("UserAssignedIdentity", (string?)deployment["authentication"]!["type"]);
        Assert.Equal(identity, (string?)deployment["authentication"]!["userAssignedIdentityResourceId"]);
        Assert.Equal("UserAssigned", (string?)site["identity"]!["type"]);
        Assert.Equal([identity], site["identity"]!["userAssignedIdentities"]!.AsObject().Select(i => i.Key));
        Assert.Equal(identity, (string?)properties["keyVaultReferenceIdentity"]);

        var policies = OfType("Microsoft.Web/sites/basicPublishingCredentialsPolicies").ToList();
        Assert.Equal(["ftp", "scm"], policies.Select(LastSegment).Order(StringComparer.Ordinal));
        Assert.All(policies, p => Assert.False(Properties(p)["allow"]!.GetValue<bool>()));
    }

    [Fact]
    public void AppSettings_AzureRequiredKeys_EverySetInTheTemplate()
    {
        var settings = AppSettings();

        Assert.NotEmpty(PipelineOptionsValidator.AzureRequiredKeys);
        foreach (var key in PipelineOptionsValidator.AzureRequiredKeys)
        {
            var name = key.Replace(":", "__", StringComparison.Ordinal);
            Assert.True(settings.ContainsKey(name), $"The options validation requires '{key}' in Azure mode but the template sets no '{name}'.");
            Assert.False(string.IsNullOrWhiteSpace((string?)settings[name]), $"App setting '{name}' is empty.");
        }

        Assert.Equal("Azure", (string?)settings["Pipeline__Mode"]);
    }

    [Fact]
    public void AppSettings_FunctionBindings_ResolveToIdentityBasedConnectionsAndDeployedEntities()
    {
        var settings = AppSettings();
        var bindings = Directory.EnumerateFiles(Path.Combine(fixture.RepositoryRoot, "functions"), "function.json", SearchOption.AllDirectories)
            .Where(f => !f.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj"))
            .SelectMany(f => JsonNode.Parse(File.ReadAllText(f))!["bindings"]!.AsArray().Select(b => b!.AsObject()))
            .ToList();
        var serviceBusTriggers = bindings.Where(b => (string?)b["type"] == "serviceBusTrigger").ToList();
        Assert.NotEmpty(serviceBusTriggers);

        foreach (var binding in bindings)
        {
            foreach (var (property, value) in binding)
            {
                if (value?.GetValueKind() != System.Text.Json.JsonValueKind.String)
                {
                    continue;
                }

                foreach (Match placeholder in AppSettingPlaceholder().Matches((string)value!))
                {
                    // By its literal name: the scale controller does not map ':' to '__' (azure-functions-host#8261).
                    var name = placeholder.Groups["key"].Value;
                    Assert.True(settings.ContainsKey(name), $"Binding property '{property}' reads %{name}% but the template sets no '{name}'.");
                }
            }

            if ((string?)binding["connection"] is { } connection)
            {
                Assert.False(settings.ContainsKey(connection), $"'{connection}' must not be a connection string setting.");
                Assert.False(string.IsNullOrWhiteSpace((string?)settings[$"{connection}__fullyQualifiedNamespace"]));
                Assert.Equal("managedidentity", (string?)settings[$"{connection}__credential"]);
                Assert.Equal((string?)settings["Pipeline__Identity__ClientId"], (string?)settings[$"{connection}__clientId"]);
            }
        }

        var topic = Single("Microsoft.ServiceBus/namespaces/topics");
        foreach (var trigger in serviceBusTriggers)
        {
            var topicSetting = AppSettingPlaceholder().Match((string)trigger["topicName"]!).Groups["key"].Value;
            Assert.Equal(LastSegment(topic), (string?)settings[topicSetting]);
            Assert.Single(OfType("Microsoft.ServiceBus/namespaces/topics/subscriptions"), s => LastSegment(s) == (string?)trigger["subscriptionName"]);
        }
    }

    [Fact]
    public void AppSettings_HostAndHandler_UseTheUserAssignedIdentityNoConnectionStrings()
    {
        var settings = AppSettings();
        var identity = Id(Single("Microsoft.ManagedIdentity/userAssignedIdentities"));
        var clientId = $"[reference('{identity}', '2023-01-31').clientId]";

        // The handler's ManagedIdentityCredential and the host's connections name the same identity.
        Assert.Equal(clientId, (string?)settings["Pipeline__Identity__ClientId"]);

        // Webhooks arrive through the host on loopback: only it is believed about X-Forwarded-For.
        Assert.Equal("127.0.0.1", (string?)settings["Pipeline__Webhooks__TrustedProxies__0"]);
        Assert.DoesNotContain(settings, s => s.Key.StartsWith("Pipeline__Webhooks__TrustedProxies__", StringComparison.Ordinal) && s.Key != "Pipeline__Webhooks__TrustedProxies__0");
        Assert.Equal(LastSegment(Single("Microsoft.Storage/storageAccounts")), (string?)settings["AzureWebJobsStorage__accountName"]);
        Assert.Equal("managedidentity", (string?)settings["AzureWebJobsStorage__credential"]);
        Assert.Equal(clientId, (string?)settings["AzureWebJobsStorage__clientId"]);
        Assert.Equal((string?)settings["ServiceBusConnection__fullyQualifiedNamespace"], (string?)settings["Pipeline__ServiceBus__FullyQualifiedNamespace"]);
        Assert.EndsWith(".keyUri]", (string?)settings["Pipeline__KeyVault__KeyId"], StringComparison.Ordinal);
        Assert.EndsWith(".primaryEndpoints.table]", (string?)settings["Pipeline__Storage__TableServiceUri"], StringComparison.Ordinal);

        // Flex Consumption rejects these, or they would bring back a storage key.
        string[] absent =
        [
            "AzureWebJobsStorage", "FUNCTIONS_WORKER_RUNTIME", "FUNCTIONS_EXTENSION_VERSION", "WEBSITE_RUN_FROM_PACKAGE",
            "WEBSITE_CONTENTAZUREFILECONNECTIONSTRING", "WEBSITE_CONTENTSHARE", "Pipeline__Storage__ConnectionString",
            "Pipeline__Auth__LocalSigningKey",
            // The handler uses no DefaultAzureCredential to pick it up; the queues are Local mode's alone.
            "AZURE_CLIENT_ID", "Pipeline__Storage__QueueServiceUri",
            // Set once, flat, for the bindings and the handler alike.
            "Pipeline__ServiceBus__TopicName", "Pipeline__Retention__Schedule",
        ];
        Assert.All(absent, name => Assert.False(settings.ContainsKey(name), $"App setting '{name}' must not be set."));
    }

    [Fact]
    public void AppSettings_Secrets_AreKeyVaultReferencesToDeployedSecrets()
    {
        var settings = AppSettings();
        var vault = LastSegment(Single("Microsoft.KeyVault/vaults"));
        var secrets = OfType("Microsoft.KeyVault/vaults/secrets").Select(LastSegment).ToHashSet(StringComparer.Ordinal);
        var secretSettings = settings.Where(s => s.Key.Contains("__Secrets__", StringComparison.Ordinal) || s.Key == "Pipeline__Audit__PseudonymKey").ToList();

        // The example parameters: acme with mindtickle (scim:write) and twinmind, globex with standard.
        Assert.Equal(
            [
                "Pipeline__Audit__PseudonymKey",
                "Pipeline__Tenants__acme__Vendors__mindtickle__Secrets__0",
                "Pipeline__Tenants__acme__Vendors__twinmind__Secrets__0",
                "Pipeline__Tenants__globex__Vendors__standard__Secrets__0",
            ],
            secretSettings.Select(s => s.Key).Order(StringComparer.Ordinal));
        foreach (var (name, value) in secretSettings)
        {
            var reference = KeyVaultReference().Match((string?)value ?? "");
            Assert.True(reference.Success, $"App setting '{name}' is not a Key Vault reference.");
            Assert.Equal(vault, reference.Groups["vault"].Value);
            Assert.Contains(reference.Groups["secret"].Value, secrets);
        }

        Assert.Equal("scim:write", (string?)settings["Pipeline__Tenants__acme__Vendors__mindtickle__Scopes__0"]);
        Assert.Equal("30", (string?)settings["Pipeline__Tenants__acme__Privacy__TranscriptRetentionDays"]);
        Assert.Equal("0 0 2 * * *", (string?)settings["RetentionSchedule"]);
        Assert.Equal("0 30 1 * * *", (string?)settings["AuditVerifySchedule"]);
        // Every stored secret is used by some setting: nothing orphaned, nothing unreachable.
        Assert.Equal(secrets.Order(StringComparer.Ordinal), secretSettings.Select(s => KeyVaultReference().Match((string)s.Value!).Groups["secret"].Value).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Outputs_Main_FunctionAppAndWebhookUrls()
    {
        var outputs = JsonNode.Parse(fixture.Example.Json)!["outputs"]!.AsObject();
        var webhookUrls = (string)outputs["webhookUrls"]!;

        Assert.Contains("https://{0}", (string?)outputs["functionAppUrl"], StringComparison.Ordinal);
        Assert.Contains("'{0}/api/webhooks/{1}/{2}'", webhookUrls, StringComparison.Ordinal);
        Assert.Contains("'mindtickle', 'acme'", webhookUrls, StringComparison.Ordinal);
        Assert.Contains("'twinmind', 'acme'", webhookUrls, StringComparison.Ordinal);
        Assert.Contains("'standard', 'globex'", webhookUrls, StringComparison.Ordinal);
    }

    [Fact]
    public void Snapshot_RotationParameters_ReferencesBothSecretsInOrderWithTenantPolicy()
    {
        var settings = fixture.Rotation.AppSettings();
        var vault = LastSegment(fixture.Rotation.Resource("Microsoft.KeyVault/vaults"));

        Assert.Equal(
            $"@Microsoft.KeyVault(VaultName={vault};SecretName=webhook-initech-mindtickle-v1)",
            (string?)settings["Pipeline__Tenants__initech__Vendors__mindtickle__Secrets__0"]);
        Assert.Equal(
            $"@Microsoft.KeyVault(VaultName={vault};SecretName=webhook-initech-mindtickle-v2)",
            (string?)settings["Pipeline__Tenants__initech__Vendors__mindtickle__Secrets__1"]);
        Assert.Equal(
            ["audit-pseudonym-key", "webhook-initech-mindtickle-v1", "webhook-initech-mindtickle-v2"],
            fixture.Rotation.OfType("Microsoft.KeyVault/vaults/secrets").Select(LastSegment).Order(StringComparer.Ordinal));
        // bool and int policy values become strings the configuration binder reads back.
        Assert.True(bool.Parse((string)settings["Pipeline__Tenants__initech__Privacy__StoreTranscripts"]!) is false);
        Assert.Equal("400", (string?)settings["Pipeline__Tenants__initech__Privacy__AuditRetentionDays"]);
        Assert.True(bool.Parse((string)settings["Pipeline__Tenants__initech__Privacy__RequireConsent"]!) is false);
        Assert.Equal(("INI-[0-9]{6}", "case #[0-9]+"), ((string?)settings["Pipeline__Tenants__initech__Privacy__PiiPatterns__0"], (string?)settings["Pipeline__Tenants__initech__Privacy__PiiPatterns__1"]));
        Assert.DoesNotContain(settings, s => s.Key.Contains("__Scopes__", StringComparison.Ordinal) || s.Key.StartsWith("Pipeline__Access__", StringComparison.Ordinal));
        Assert.DoesNotContain(settings, s => s.Key.Contains("TranscriptRetentionDays", StringComparison.Ordinal));
    }

    [Fact]
    public void AppRoles_RegistrationManifest_HoldsTheHandlersRolesWithUniqueIds()
    {
        var roles = JsonNode.Parse(File.ReadAllText(Path.Combine(fixture.InfraDirectory, "app-roles.json")))!.AsArray().Select(r => r!.AsObject()).ToList();

        // The roles the handler's policies check (SPEC §3.3), read from the code so the two cannot drift.
        Assert.Equal(
            CallerRoles.All.Order(StringComparer.Ordinal),
            roles.Select(r => (string)r["value"]!).Order(StringComparer.Ordinal));
        Assert.Equal(roles.Count, roles.Select(r => Guid.Parse((string)r["id"]!)).Distinct().Count());
        Assert.All(roles, r => Assert.True(r["isEnabled"]!.GetValue<bool>()));
    }

    [Fact]
    public void Diagnostics_KeyVaultServiceBusAndStorage_SendToTheLogAnalyticsWorkspace()
    {
        var workspace = Id(Single("Microsoft.OperationalInsights/workspaces"));
        var settings = OfType("Microsoft.Insights/diagnosticSettings").ToList();

        string[] covered =
        [
            Id(Single("Microsoft.KeyVault/vaults")),
            Id(Single("Microsoft.ServiceBus/namespaces")),
            Id(Single("Microsoft.Storage/storageAccounts")),
            Id(Single("Microsoft.Storage/storageAccounts/blobServices")),
            Id(Single("Microsoft.Storage/storageAccounts/tableServices")),
            Id(Single("Microsoft.Storage/storageAccounts/queueServices")),
        ];
        foreach (var resource in covered)
        {
            var setting = Assert.Single(settings, s => Id(s).StartsWith(resource + "/providers/Microsoft.Insights/diagnosticSettings/", StringComparison.Ordinal));
            Assert.Equal(workspace, (string?)Properties(setting)["workspaceId"]);
            var enabled = (Properties(setting)["logs"]?.AsArray() ?? []).Concat(Properties(setting)["metrics"]?.AsArray() ?? []);
            Assert.NotEmpty(enabled);
            Assert.All(enabled, e => Assert.True(e!["enabled"]!.GetValue<bool>()));
        }

        // The vault's audit log: every unwrap of a transcript key and every secret read.
        var vault = Assert.Single(settings, s => Id(s).StartsWith(covered[0] + "/", StringComparison.Ordinal));
        Assert.Contains(Properties(vault)["logs"]!.AsArray(), l => (string?)l!["categoryGroup"] is "audit" or "allLogs");
    }

    [Fact]
    public void AppSettings_Audience_IsTheClientIdFromTheEnvironmentNotAnApiUriPlaceholder()
    {
        // v2.0 tokens carry the registration's client id as aud; the example reads it at deployment time.
        var audience = (string?)AppSettings()["Pipeline__Auth__Audience"];

        Assert.Equal(fixture.SecretEnvironment[ApiClientIdVariable], audience);
    }

    private JsonObject AppSettings() => fixture.Example.AppSettings();

    private string OnlySqlFilter(string subscription)
    {
        var rule = Assert.Single(OfType("Microsoft.ServiceBus/namespaces/topics/subscriptions/rules"), r => ((string)r["name"]!).Split('/')[^2] == subscription);
        Assert.Equal("$Default", LastSegment(rule));
        Assert.Equal("SqlFilter", (string?)Properties(rule)["filterType"]);
        return (string)Properties(rule)["sqlFilter"]!["sqlExpression"]!;
    }

    private IEnumerable<JsonObject> OfType(string type) => fixture.Example.OfType(type);

    private JsonObject Single(string type) => fixture.Example.Resource(type);

    private static string Type(JsonObject resource) => (string)resource["type"]!;

    private static string Id(JsonObject resource) => (string)resource["id"]!;

    private static string LastSegment(JsonObject resource) => ((string)resource["name"]!).Split('/')[^1];

    private static JsonObject Properties(JsonObject resource) => resource["properties"]!.AsObject();

    [GeneratedRegex(@"^module\s+\w+\s+'(?<path>[^']+)'", RegexOptions.Multiline)]
    private static partial Regex ModuleReference();

    [GeneratedRegex(@"^\[extensionResourceId\('(?<scope>[^']+)', 'Microsoft\.Authorization/roleAssignments', ")]
    private static partial Regex ExtensionResourceScope();

    [GeneratedRegex("%(?<key>[^%]+)%")]
    private static partial Regex AppSettingPlaceholder();

    [GeneratedRegex(@"^@Microsoft\.KeyVault\(VaultName=(?<vault>[a-zA-Z0-9-]+);SecretName=(?<secret>[a-zA-Z0-9-]+)\)$")]
    private static partial Regex KeyVaultReference();
}
