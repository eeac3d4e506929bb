using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure;
using Azure.Core.Cryptography;
using Azure.Data.Tables;
using Pipeline.Azure.Audit;
using Pipeline.Azure.Keys;
using Pipeline.Azure.KeyVault;
using Pipeline.Azure.Transcripts;
using Pipeline.Core.Audit;
using Pipeline.Core.Privacy;
using Pipeline.Core.Configuration;
using Pipeline.Core.Events;
using Pipeline.Core.Transcripts;
using Pipeline.Tests.Infrastructure;
using Pipeline.Tests.KeyVault;

namespace Pipeline.Tests.Transcripts;

/// <summary>EncryptTranscript and the read path against real Azurite, with the local key file.</summary>
public sealed class TranscriptStorageTests(AzuriteFixture azurite)
{
    private const string Email = "Jane.Doe@Example.com";
    private const string Phrase = "the renewal of the Contoso account";
    private static readonly Lazy<LocalKeyFile> Keys = new(() =>
        LocalKeyFile.OpenOrCreate(Path.Combine(Directory.CreateTempSubdirectory("pipeline-transcripts-").FullName, "local-kek.json")));

    private readonly string _tenant = Secrets.NewTenant();
    private readonly string _pseudonymKey = Secrets.NewSecret();

    [Fact]
    public async Task HandleAsync_TranscriptCompleted_StoresItEncryptedAndItReadsBack()
    {
        var (handler, reader, store) = Build();
        var text = $"Speaker 1: about {Phrase}.\nSpeaker 2: agreed.";

        var handling = await handler.HandleAsync(Event("tr-1", text), TestContext.Current.CancellationToken);
        var read = await reader.ReadAsync(_tenant, "tr-1", TestContext.Current.CancellationToken);

        Assert.Equal(TranscriptHandlingOutcome.Stored, handling.Outcome);
        Assert.True(read.Succeeded, read.Opened?.Reason);
        Assert.Equal(text, Encoding.UTF8.GetString(read.Opened!.Plaintext!));
        Assert.Equal(["tr-1"], await store.Subjects.FindAsync(_tenant, Pseudonyms.Of(_pseudonymKey, "jane.doe@example.com "), TestContext.Current.CancellationToken));
        var header = await azurite.TableService.GetTableClient(TranscriptTableStore.TableName)
            .GetEntityAsync<TableEntity>(TranscriptTableStore.PartitionFor(_tenant, "tr-1"), TranscriptTableStore.HeaderRowKey, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Matches("^local:kek/[0-9a-f]{32}$", header.Value.GetString("KeyId"));
        Assert.Equal("A256GCM", header.Value.GetString("Algorithm"));
        Assert.Equal("RSA-OAEP-256", header.Value.GetString("WrapAlgorithm"));
        Assert.Equal(1, header.Value.GetInt32("FormatVersion"));
        Assert.Equal(At.AddDays(30), header.Value.GetDateTimeOffset("ExpiresAt"));
    }

    [Fact]
    public async Task HandleAsync_Stored_NoTableHoldsPlaintextOrEmail()
    {
        var (handler, _, _) = Build();

        await handler.HandleAsync(Event("tr-pii", $"Speaker 1: {Phrase}, mail {Email}."), TestContext.Current.CancellationToken);

        foreach (var table in new[] { TranscriptTableStore.TableName, TranscriptSubjectIndex.TableName, TranscriptExpiryIndex.TableName, AuditTableWriter.TableName })
        {
            await foreach (var row in azurite.TableService.GetTableClient(table).QueryAsync<TableEntity>(cancellationToken: TestContext.Current.CancellationToken))
            {
                foreach (var value in row.Select(property => property.Value))
                {
                    var bytes = value as byte[] ?? Encoding.UTF8.GetBytes(value?.ToString() ?? "");
                    var text = Encoding.UTF8.GetString(bytes);
                    Assert.DoesNotContain("Contoso", text, StringComparison.OrdinalIgnoreCase);
                    Assert.DoesNotContain("jane.doe", text, StringComparison.OrdinalIgnoreCase);
                    Assert.DoesNotContain("Jane Doe", text, StringComparison.OrdinalIgnoreCase);
                }
            }
        }
    }

    [Fact]
    public async Task HandleAsync_Redelivered_LeavesExactlyOneTranscriptAndOneAuditRow()
    {
        var (handler, reader, _) = Build();
        var pipelineEvent = Event("tr-again", RandomText(1_500_000));
        var first = await handler.HandleAsync(pipelineEvent, TestContext.Current.CancellationToken);
        var rowsAfterFirst = await PartitionRowsAsync("tr-again");

        var second = await handler.HandleAsync(pipelineEvent, TestContext.Current.CancellationToken);
        var third = await handler.HandleAsync(pipelineEvent, TestContext.Current.CancellationToken);

        Assert.Equal(TranscriptHandlingOutcome.Stored, first.Outcome);
        Assert.Equal(TranscriptHandlingOutcome.Duplicate, second.Outcome);
        Assert.Equal(TranscriptHandlingOutcome.Duplicate, third.Outcome);
        var rows = await PartitionRowsAsync("tr-again");
        Assert.Equal(rowsAfterFirst.Select(r => (r.RowKey, r.ETag)), rows.Select(r => (r.RowKey, r.ETag)));
        Assert.Equal(["data-0000", "data-0001", "header"], rows.Select(r => r.RowKey));
        Assert.True((await reader.ReadAsync(_tenant, "tr-again", TestContext.Current.CancellationToken)).Succeeded);
        var audit = await AuditRows.ForTenantAsync(azurite, _tenant);
        Assert.Equal(AuditActions.TranscriptStored, Assert.Single(audit).GetString("Action"));
    }

    [Fact]
    public async Task HandleAsync_StoreTranscriptsFalse_StoresNothingAndAuditsSkip()
    {
        var (handler, reader, store) = Build(storeTranscripts: false);

        var handling = await handler.HandleAsync(Event("tr-skip", $"Speaker 1: {Phrase}."), TestContext.Current.CancellationToken);

        Assert.Equal(TranscriptHandlingOutcome.Skipped, handling.Outcome);
        Assert.Empty(await PartitionRowsAsync("tr-skip"));
        Assert.Empty(await store.Subjects.FindAsync(_tenant, Pseudonyms.Of(_pseudonymKey, Email), TestContext.Current.CancellationToken));
        Assert.False((await reader.ReadAsync(_tenant, "tr-skip", TestContext.Current.CancellationToken)).Found);
        var row = Assert.Single(await AuditRows.ForTenantAsync(azurite, _tenant));
        Assert.Equal(AuditActions.TranscriptSkipped, row.GetString("Action"));
        Assert.Contains("StoreTranscripts", row.GetString("Detail_reason"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData(false)]
    [InlineData("yes")]
    public async Task HandleAsync_RequireConsentWithoutRecordedConsent_StoresNothingAndAuditsNoConsent(object? consent)
    {
        var (handler, reader, store) = Build();
        var pipelineEvent = Event("tr-noconsent", $"Speaker 1: {Phrase}.", consent switch
        {
            bool flag => JsonValue.Create(flag),
            string text => JsonValue.Create(text),
            _ => null,
        });

        var handling = await handler.HandleAsync(pipelineEvent, TestContext.Current.CancellationToken);

        Assert.Equal((TranscriptHandlingOutcome.Skipped, EncryptTranscriptHandler.NoConsent), (handling.Outcome, handling.Reason));
        Assert.Empty(await PartitionRowsAsync("tr-noconsent"));
        Assert.Empty(await store.Subjects.FindAsync(_tenant, Pseudonyms.Of(_pseudonymKey, Email), TestContext.Current.CancellationToken));
        Assert.False((await reader.ReadAsync(_tenant, "tr-noconsent", TestContext.Current.CancellationToken)).Found);
        var row = Assert.Single(await AuditRows.ForTenantAsync(azurite, _tenant));
        Assert.Equal((AuditActions.TranscriptSkipped, "no-consent"), (row.GetString("Action"), row.GetString("Detail_reason")));
    }

    [Fact]
    public async Task HandleAsync_SecondDifferentEventForAStoredTranscriptId_IsAConflictNotASuccess()
    {
        var (handler, reader, store) = Build();
        await handler.HandleAsync(Event("tr-twice", $"Speaker 1: {Phrase}."), TestContext.Current.CancellationToken);
        var other = Event("tr-twice", "Speaker 9: a different meeting.") with { EventId = "evt_other", EventKey = "tm-other" };

        var again = await handler.HandleAsync(Event("tr-twice", $"Speaker 1: {Phrase}."), TestContext.Current.CancellationToken);
        var conflict = await handler.HandleAsync(other, TestContext.Current.CancellationToken);

        Assert.Equal(TranscriptHandlingOutcome.Duplicate, again.Outcome);
        Assert.Equal(TranscriptHandlingOutcome.Conflict, conflict.Outcome);
        var read = await reader.ReadAsync(_tenant, "tr-twice", TestContext.Current.CancellationToken);
        Assert.Contains(Phrase, System.Text.Encoding.UTF8.GetString(read.Opened!.Plaintext!), StringComparison.Ordinal);
        var rows = await AuditRows.ForTenantAsync(azurite, _tenant);
        var rejected = Assert.Single(rows, r => r.GetString("EventId") == "evt_other");
        Assert.Equal((AuditActions.TranscriptRejected, "conflict"), (rejected.GetString("Action"), rejected.GetString("Outcome")));
        Assert.Single(rows, r => r.GetString("Action") == AuditActions.TranscriptStored);
        Assert.Single(await store.Subjects.FindAsync(_tenant, Pseudonyms.Of(_pseudonymKey, Email), TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task HandleAsync_AfterErasure_IsHeldAndAuditedAsRefused()
    {
        var (handler, reader, store) = Build();
        await handler.HandleAsync(Event("tr-held", $"Speaker 1: {Phrase}."), TestContext.Current.CancellationToken);
        Assert.True(await store.EraseAsync(_tenant, "tr-held", new PipelineOptions(), new AuditOptions { PseudonymKey = _pseudonymKey }, At.AddDays(1), "transcript-deleted", TestContext.Current.CancellationToken));

        var replay = await handler.HandleAsync(Event("tr-held", $"Speaker 1: {Phrase}.") with { ReceivedAt = At.AddDays(200) }, TestContext.Current.CancellationToken);

        Assert.Equal(TranscriptHandlingOutcome.Held, replay.Outcome);
        Assert.False((await reader.ReadAsync(_tenant, "tr-held", TestContext.Current.CancellationToken)).Found);
        Assert.Contains(await AuditRows.ForTenantAsync(azurite, _tenant), r => r.GetString("Outcome") == "refused" && r.GetString("Action") == AuditActions.TranscriptRejected);
    }

    [Fact]
    public async Task HandleAsync_RequireConsentOff_StoresWithoutRecordedConsent()
    {
        var (handler, reader, _) = Build(requireConsent: false);

        var handling = await handler.HandleAsync(Event("tr-noconsent-ok", $"Speaker 1: {Phrase}.", consent: null), TestContext.Current.CancellationToken);

        Assert.Equal(TranscriptHandlingOutcome.Stored, handling.Outcome);
        Assert.True((await reader.ReadAsync(_tenant, "tr-noconsent-ok", TestContext.Current.CancellationToken)).Found);
    }

    [Fact]
    public async Task HandleAsync_LargerThanOneTransaction_RefusedClearlyAndAudited()
    {
        var (handler, _, _) = Build();

        // 4 MiB of base64 text only compresses to about 3 MiB: more than one entity-group transaction carries.
        var handling = await handler.HandleAsync(Event("tr-huge", RandomText(4 * 1024 * 1024)), TestContext.Current.CancellationToken);

        Assert.Equal(TranscriptHandlingOutcome.Rejected, handling.Outcome);
        Assert.StartsWith("too large", handling.Reason, StringComparison.Ordinal);
        Assert.Empty(await PartitionRowsAsync("tr-huge"));
        var row = Assert.Single(await AuditRows.ForTenantAsync(azurite, _tenant));
        Assert.Equal(AuditActions.TranscriptRejected, row.GetString("Action"));
        Assert.Equal("failure", row.GetString("Outcome"));
    }

    [Fact]
    public async Task HandleAsync_FourMiBOfText_StoredAndReadBack()
    {
        var (handler, reader, _) = Build();
        var text = Encoding.UTF8.GetString(TranscriptEnvelopeTests.TranscriptText(4 * 1024 * 1024));

        var handling = await handler.HandleAsync(Event("tr-4mib", text), TestContext.Current.CancellationToken);
        var read = await reader.ReadAsync(_tenant, "tr-4mib", TestContext.Current.CancellationToken);

        Assert.Equal(TranscriptHandlingOutcome.Stored, handling.Outcome);
        Assert.Equal(text, Encoding.UTF8.GetString(read.Opened!.Plaintext!));
    }

    [Fact]
    public async Task ReadAsync_ChunkAlteredInTable_FailsTampered()
    {
        var (handler, reader, _) = Build();
        await handler.HandleAsync(Event("tr-t", RandomText(200_000)), TestContext.Current.CancellationToken);
        var table = azurite.TableService.GetTableClient(TranscriptTableStore.TableName);
        var row = (await table.GetEntityAsync<TableEntity>(TranscriptTableStore.PartitionFor(_tenant, "tr-t"), "data-0000", cancellationToken: TestContext.Current.CancellationToken)).Value;
        var chunk = row.GetBinary("C01");
        chunk[100] ^= 1;
        row["C01"] = chunk;
        await table.UpdateEntityAsync(row, ETag.All, TableUpdateMode.Replace, TestContext.Current.CancellationToken);

        var read = await reader.ReadAsync(_tenant, "tr-t", TestContext.Current.CancellationToken);

        Assert.True(read.Found);
        Assert.Equal(TranscriptOpenFailure.Tampered, read.Opened!.Failure);
        Assert.Null(read.Opened.Plaintext);
    }

    [Fact]
    public async Task ReadAsync_WrappedKeyAltered_FailsWrongKey()
    {
        var (handler, reader, _) = Build();
        await handler.HandleAsync(Event("tr-w", "short transcript"), TestContext.Current.CancellationToken);
        var table = azurite.TableService.GetTableClient(TranscriptTableStore.TableName);
        var header = (await table.GetEntityAsync<TableEntity>(TranscriptTableStore.PartitionFor(_tenant, "tr-w"), TranscriptTableStore.HeaderRowKey, cancellationToken: TestContext.Current.CancellationToken)).Value;
        var wrapped = header.GetBinary("WrappedKey");
        wrapped[7] ^= 1;
        header["WrappedKey"] = wrapped;
        await table.UpdateEntityAsync(header, ETag.All, TableUpdateMode.Replace, TestContext.Current.CancellationToken);

        var read = await reader.ReadAsync(_tenant, "tr-w", TestContext.Current.CancellationToken);

        Assert.Equal(TranscriptOpenFailure.WrongKey, read.Opened!.Failure);
        Assert.Null(read.Opened.Plaintext);
    }

    [Fact]
    public async Task ReadAsync_DataRowDeleted_FailsTruncated()
    {
        var (handler, reader, _) = Build();
        await handler.HandleAsync(Event("tr-d", RandomText(1_500_000)), TestContext.Current.CancellationToken);
        await azurite.TableService.GetTableClient(TranscriptTableStore.TableName)
            .DeleteEntityAsync(TranscriptTableStore.PartitionFor(_tenant, "tr-d"), "data-0001", cancellationToken: TestContext.Current.CancellationToken);

        var read = await reader.ReadAsync(_tenant, "tr-d", TestContext.Current.CancellationToken);

        Assert.Equal(TranscriptOpenFailure.Truncated, read.Opened!.Failure);
    }

    [Fact]
    public async Task ReadAsync_DataRowCopiedFromAnotherTranscript_FailsTampered()
    {
        var (handler, reader, _) = Build();
        await handler.HandleAsync(Event("tr-a", RandomText(100_000)), TestContext.Current.CancellationToken);
        await handler.HandleAsync(Event("tr-b", RandomText(100_000)), TestContext.Current.CancellationToken);
        var table = azurite.TableService.GetTableClient(TranscriptTableStore.TableName);
        var other = (await table.GetEntityAsync<TableEntity>(TranscriptTableStore.PartitionFor(_tenant, "tr-b"), "data-0000", cancellationToken: TestContext.Current.CancellationToken)).Value;
        other.PartitionKey = TranscriptTableStore.PartitionFor(_tenant, "tr-a");
        await table.UpsertEntityAsync(other, TableUpdateMode.Replace, TestContext.Current.CancellationToken);

        var read = await reader.ReadAsync(_tenant, "tr-a", TestContext.Current.CancellationToken);

        Assert.False(read.Succeeded);
        Assert.Equal(TranscriptOpenFailure.Tampered, read.Opened!.Failure);
        Assert.Null(read.Opened.Plaintext);
    }

    [Fact]
    public async Task DeleteAsync_Stored_CryptoShredsEveryRowAndIndex()
    {
        var (handler, reader, store) = Build();
        await handler.HandleAsync(Event("tr-del", RandomText(1_500_000)), TestContext.Current.CancellationToken);

        var deleted = await store.DeleteAsync(_tenant, "tr-del", TestContext.Current.CancellationToken);

        Assert.True(deleted);
        Assert.Empty(await PartitionRowsAsync("tr-del"));
        Assert.False((await reader.ReadAsync(_tenant, "tr-del", TestContext.Current.CancellationToken)).Found);
        Assert.Empty(await store.Subjects.FindAsync(_tenant, Pseudonyms.Of(_pseudonymKey, Email), TestContext.Current.CancellationToken));
        Assert.False(await store.DeleteAsync(_tenant, "tr-del", TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task ReadAsync_AfterExpiry_NotFound()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(At);
        var (handler, _, store) = Build();
        await handler.HandleAsync(Event("tr-exp", "soon gone"), TestContext.Current.CancellationToken);
        var reader = new TranscriptReader(store, Protector(Keys.Value), time);

        var before = await reader.ReadAsync(_tenant, "tr-exp", TestContext.Current.CancellationToken);
        time.Advance(TimeSpan.FromDays(30));
        var after = await reader.ReadAsync(_tenant, "tr-exp", TestContext.Current.CancellationToken);

        Assert.True(before.Succeeded);
        Assert.False(after.Found);
    }

    [Fact]
    public async Task ReadAsync_KeyVaultKeyRotatedAfterWrite_StillOpensWithOneUnwrapAndNoWriteCalls()
    {
        await using var vault = await LoopbackKeyVault.StartAsync();
        var credential = new RecordingCredential();
        var writerResolver = new KeyVaultKeyResolver(vault.CreateClient(credential), TimeProvider.System);
        var (handler, _, store) = Build(resolver: writerResolver, keyId: vault.VersionlessKeyId);
        var v1 = vault.CurrentVersion;

        for (var i = 0; i < 5; i++)
        {
            await handler.HandleAsync(Event($"tr-kv-{i}", $"transcript {i}"), TestContext.Current.CancellationToken);
        }

        Assert.Equal(1, vault.GetKeyCalls);
        Assert.Equal(0, vault.UnwrapCalls);

        vault.Rotate();
        var readerResolver = new KeyVaultKeyResolver(vault.CreateClient(credential), TimeProvider.System);
        var reader = new TranscriptReader(store, Protector(readerResolver, vault.VersionlessKeyId), TimeProvider.System);
        var read = await reader.ReadAsync(_tenant, "tr-kv-3", TestContext.Current.CancellationToken);

        Assert.True(read.Succeeded, read.Opened?.Reason);
        Assert.Equal("transcript 3", Encoding.UTF8.GetString(read.Opened!.Plaintext!));
        Assert.Equal(1, vault.UnwrapCalls);
        Assert.Equal(1, vault.GetKeyCalls);
        var header = await azurite.TableService.GetTableClient(TranscriptTableStore.TableName)
            .GetEntityAsync<TableEntity>(TranscriptTableStore.PartitionFor(_tenant, "tr-kv-3"), TranscriptTableStore.HeaderRowKey, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal($"{vault.VersionlessKeyId}/{v1}", header.Value.GetString("KeyId"));
    }

    [Fact]
    public async Task RewrapPageAsync_AfterRotation_RewrapsEveryHeaderOnceAndAllStillRead()
    {
        var keys = LocalKeyFile.OpenOrCreate(Path.Combine(Directory.CreateTempSubdirectory("pipeline-rewrap-").FullName, "local-kek.json"));
        var (handler, reader, store) = Build(resolver: keys);
        for (var i = 0; i < 3; i++)
        {
            await handler.HandleAsync(Event($"tr-rw-{i}", $"transcript {i}"), TestContext.Current.CancellationToken);
        }

        var v1 = keys.CurrentKeyId;
        var v2 = keys.Rotate();
        var protector = Protector(keys);
        var first = await RewrapAllAsync(store, protector);
        var second = await RewrapAllAsync(store, protector);

        Assert.Equal((3, 3, 2), (first.Examined, first.Rewrapped, first.Pages));
        Assert.Equal((3, 0, 3), (second.Examined, second.Rewrapped, second.AlreadyCurrent));
        for (var i = 0; i < 3; i++)
        {
            var header = await azurite.TableService.GetTableClient(TranscriptTableStore.TableName)
                .GetEntityAsync<TableEntity>(TranscriptTableStore.PartitionFor(_tenant, $"tr-rw-{i}"), TranscriptTableStore.HeaderRowKey, cancellationToken: TestContext.Current.CancellationToken);
            Assert.Equal(v2, header.Value.GetString("KeyId"));
            Assert.NotEqual(v1, v2);
            var read = await reader.ReadAsync(_tenant, $"tr-rw-{i}", TestContext.Current.CancellationToken);
            Assert.Equal($"transcript {i}", Encoding.UTF8.GetString(read.Opened!.Plaintext!));
        }
    }

    private async Task<(int Examined, int Rewrapped, int AlreadyCurrent, int Pages)> RewrapAllAsync(TranscriptTableStore store, TranscriptProtector protector)
    {
        int examined = 0, rewrapped = 0, current = 0, pages = 0;
        string? token = null;
        do
        {
            // Two per page, so the run has to continue from a token.
            var page = await new TranscriptKeyWrapping(azurite.TableService).RewrapPageAsync(protector, _tenant, token, pageSize: 2, TestContext.Current.CancellationToken);
            (examined, rewrapped, current, pages, token) = (examined + page.Examined, rewrapped + page.Rewrapped, current + page.AlreadyCurrent, pages + 1, page.ContinuationToken);
        }
        while (token is not null);

        return (examined, rewrapped, current, pages);
    }

    private static readonly DateTimeOffset At = new(2026, 11, 22, 10, 0, 0, TimeSpan.Zero);

    private (EncryptTranscriptHandler Handler, TranscriptReader Reader, TranscriptTableStore Store) Build(
        bool storeTranscripts = true, IKeyEncryptionKeyResolver? resolver = null, string keyId = LocalKeyFile.KeyName, bool requireConsent = true)
    {
        var options = new PipelineOptions();
        options.Tenants[_tenant] = new TenantOptions
        {
            Privacy = new PrivacyOptions { StoreTranscripts = storeTranscripts, TranscriptRetentionDays = 30, RequireConsent = requireConsent },
        };
        var protector = Protector(resolver ?? Keys.Value, keyId);
        var store = new TranscriptTableStore(azurite.TableService);
        var handler = new EncryptTranscriptHandler(protector, store, azurite.AuditWriter(), options, new AuditOptions { PseudonymKey = _pseudonymKey });
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(At.AddDays(1));
        return (handler, new TranscriptReader(store, protector, time), store);
    }

    private static TranscriptProtector Protector(IKeyEncryptionKeyResolver resolver, string keyId = LocalKeyFile.KeyName) =>
        new(resolver, keyId, TranscriptCompression.Brotli);

    private PipelineEvent Event(string transcriptId, string text) => Event(transcriptId, text, JsonValue.Create(true));

    private PipelineEvent Event(string transcriptId, string text, JsonNode? consent)
    {
        var payload = new JsonObject
        {
            ["id"] = $"tm-{transcriptId}",
            ["type"] = "transcript.completed",
            ["created_at"] = "2026-11-22T10:00:00Z",
            ["data"] = new JsonObject
            {
                ["transcript_id"] = transcriptId,
                ["meeting_id"] = "m-1",
                ["transcript"] = text,
                ["language"] = "en",
                ["participants"] = new JsonArray(
                    new JsonObject { ["name"] = "Jane Doe", ["email"] = Email },
                    new JsonObject { ["name"] = "John Roe", ["email"] = "john.roe@example.com" }),
            },
        };
        if (consent is not null)
        {
            payload["data"]!["consent"] = consent;
        }

        var element = JsonSerializer.SerializeToElement(payload);
        var eventId = EventIds.Derive("twinmind", _tenant, $"tm-{transcriptId}");
        return new PipelineEvent(eventId, "twinmind", _tenant, "transcript.completed", $"tm-{transcriptId}", At, true, element);
    }

    private static string RandomText(int length) => Convert.ToBase64String(RandomNumberGenerator.GetBytes(length * 3 / 4))[..length];

    private async Task<List<TableEntity>> PartitionRowsAsync(string transcriptId)
    {
        var partition = TranscriptTableStore.PartitionFor(_tenant, transcriptId);
        var rows = new List<TableEntity>();
        try
        {
            await foreach (var row in azurite.TableService.GetTableClient(TranscriptTableStore.TableName)
                .QueryAsync<TableEntity>(e => e.PartitionKey == partition, cancellationToken: TestContext.Current.CancellationToken))
            {
                rows.Add(row);
            }
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            // No table yet: nothing stored.
        }

        return rows;
    }
}
