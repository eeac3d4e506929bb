namespace Pipeline.Host.Auth;

/// <summary>The app roles of SPEC §3.3; <see cref="Admin"/> holds all of them.</summary>
public static class CallerRoles
{
    public const string AuditRead = "Audit.Read";
    public const string TranscriptsRead = "Transcripts.Read";
    public const string TranscriptsDelete = "Transcripts.Delete";
    public const string SubjectsExport = "Subjects.Export";
    public const string SubjectsErase = "Subjects.Erase";
    public const string Admin = "Admin";

    public static readonly IReadOnlyList<string> All = [AuditRead, TranscriptsRead, TranscriptsDelete, SubjectsExport, SubjectsErase, Admin];
}
