using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace FlagApi.Data;

internal sealed class EntryConfiguration : IEntityTypeConfiguration<Entry>
{
    public void Configure(EntityTypeBuilder<Entry> builder)
    {
        builder.ToTable("entries");
        builder.HasKey(e => e.Id);
        builder.Property(e => e.Id).HasColumnName("id");
        builder.Property(e => e.Kind).HasColumnName("kind");
        builder.Property(e => e.Value).HasColumnName("value");
        builder.Property(e => e.Display).HasColumnName("display");
        builder.Property(e => e.Category).HasColumnName("category");
        builder.Property(e => e.Risk).HasColumnName("risk");
        builder.Property(e => e.Status).HasColumnName("status");
        builder.Property(e => e.FirstSeen).HasColumnName("first_seen");
        builder.Property(e => e.LastSeen).HasColumnName("last_seen");
        builder.Property(e => e.ExpiresAt).HasColumnName("expires_at");
        builder.Property(e => e.Version).HasColumnName("version");
        builder.HasIndex(e => new { e.Kind, e.Value }).IsUnique();
        builder.HasMany(e => e.Sources).WithOne().HasForeignKey(s => s.EntryId);
    }
}

internal sealed class EntrySourceConfiguration : IEntityTypeConfiguration<EntrySource>
{
    public void Configure(EntityTypeBuilder<EntrySource> builder)
    {
        builder.ToTable("entry_sources");
        builder.HasKey(s => s.Id);
        builder.Property(s => s.Id).HasColumnName("id");
        builder.Property(s => s.EntryId).HasColumnName("entry_id");
        builder.Property(s => s.ListId).HasColumnName("list_id");
        builder.Property(s => s.SourceType).HasColumnName("source_type");
        builder.Property(s => s.Label).HasColumnName("label");
        builder.Property(s => s.Note).HasColumnName("note");
        builder.Property(s => s.Display).HasColumnName("display");
        builder.Property(s => s.Category).HasColumnName("category");
        builder.Property(s => s.Risk).HasColumnName("risk");
        builder.Property(s => s.ExpiresAt).HasColumnName("expires_at");
        builder.Property(s => s.AddedAt).HasColumnName("added_at");
        builder.Property(s => s.RemovedAt).HasColumnName("removed_at");
        builder.HasOne(s => s.List).WithMany().HasForeignKey(s => s.ListId);
    }
}

internal sealed class EntryHistoryConfiguration : IEntityTypeConfiguration<EntryHistory>
{
    public void Configure(EntityTypeBuilder<EntryHistory> builder)
    {
        builder.ToTable("entry_history");
        builder.HasKey(h => h.Id);
        builder.Property(h => h.Id).HasColumnName("id");
        builder.Property(h => h.EntryId).HasColumnName("entry_id");
        builder.Property(h => h.Version).HasColumnName("version");
        builder.Property(h => h.At).HasColumnName("at");
        builder.Property(h => h.Actor).HasColumnName("actor");
        builder.Property(h => h.Action).HasColumnName("action");
        builder.Property(h => h.Reason).HasColumnName("reason");
        builder.Property(h => h.Before).HasColumnName("before");
        builder.Property(h => h.After).HasColumnName("after");
    }
}

internal sealed class ChangeLogConfiguration : IEntityTypeConfiguration<ChangeLogRow>
{
    public void Configure(EntityTypeBuilder<ChangeLogRow> builder)
    {
        builder.ToTable("change_log");
        builder.HasKey(c => c.Version);
        builder.Property(c => c.Version).HasColumnName("version").ValueGeneratedNever();
        builder.Property(c => c.EntryId).HasColumnName("entry_id");
        builder.Property(c => c.Op).HasColumnName("op");
        builder.Property(c => c.Kind).HasColumnName("kind");
        builder.Property(c => c.Value).HasColumnName("value");
        builder.Property(c => c.Category).HasColumnName("category");
        builder.Property(c => c.Risk).HasColumnName("risk");
        builder.Property(c => c.Status).HasColumnName("status");
        builder.Property(c => c.At).HasColumnName("at");
    }
}

internal sealed class PublishedListConfiguration : IEntityTypeConfiguration<PublishedList>
{
    public void Configure(EntityTypeBuilder<PublishedList> builder)
    {
        builder.ToTable("lists");
        builder.HasKey(l => l.Id);
        builder.Property(l => l.Id).HasColumnName("id");
        builder.Property(l => l.Agency).HasColumnName("agency");
        builder.Property(l => l.Reference).HasColumnName("reference");
        builder.Property(l => l.Title).HasColumnName("title");
        builder.Property(l => l.Origin).HasColumnName("origin");
        builder.Property(l => l.ContentSha256).HasColumnName("content_sha256");
        builder.Property(l => l.EntryCount).HasColumnName("entry_count");
        builder.Property(l => l.PublishedAt).HasColumnName("published_at");
        builder.Property(l => l.PublishedBy).HasColumnName("published_by");
        builder.Property(l => l.Version).HasColumnName("version");
        builder.Property(l => l.PublishedOn).HasColumnName("published_on");
        builder.Property(l => l.Result).HasColumnName("result");
        builder.Property(l => l.RetractedAt).HasColumnName("retracted_at");
        builder.Property(l => l.RetractedBy).HasColumnName("retracted_by");
        builder.Property(l => l.RetractionReason).HasColumnName("retraction_reason");
        builder.Property(l => l.RetractionVersion).HasColumnName("retraction_version");
        builder.HasIndex(l => new { l.Agency, l.Reference }).IsUnique();
    }
}

internal sealed class ApiKeyConfiguration : IEntityTypeConfiguration<ApiKey>
{
    public void Configure(EntityTypeBuilder<ApiKey> builder)
    {
        builder.ToTable("api_keys");
        builder.HasKey(k => k.Id);
        builder.Property(k => k.Id).HasColumnName("id");
        builder.Property(k => k.Name).HasColumnName("name");
        builder.Property(k => k.Role).HasColumnName("role");
        builder.Property(k => k.Agency).HasColumnName("agency");
        builder.Property(k => k.Tier).HasColumnName("tier");
        builder.Property(k => k.Prefix).HasColumnName("prefix");
        builder.Property(k => k.KeyHash).HasColumnName("key_hash");
        builder.Property(k => k.CreatedAt).HasColumnName("created_at");
        builder.Property(k => k.CreatedBy).HasColumnName("created_by");
        builder.Property(k => k.RevokedAt).HasColumnName("revoked_at");
        builder.Property(k => k.RevokedBy).HasColumnName("revoked_by");
        builder.HasIndex(k => k.KeyHash).IsUnique();
    }
}

internal sealed class AuditRecordConfiguration : IEntityTypeConfiguration<AuditRecord>
{
    public void Configure(EntityTypeBuilder<AuditRecord> builder)
    {
        builder.ToTable("audit_log");
        builder.HasKey(a => a.Id);
        builder.Property(a => a.Id).HasColumnName("id");
        builder.Property(a => a.At).HasColumnName("at");
        builder.Property(a => a.Actor).HasColumnName("actor");
        builder.Property(a => a.Action).HasColumnName("action");
        builder.Property(a => a.SubjectType).HasColumnName("subject_type");
        builder.Property(a => a.SubjectId).HasColumnName("subject_id");
        builder.Property(a => a.Detail).HasColumnName("detail");
    }
}

internal sealed class ProtectedIdentifierConfiguration : IEntityTypeConfiguration<ProtectedIdentifier>
{
    public void Configure(EntityTypeBuilder<ProtectedIdentifier> builder)
    {
        builder.ToTable("protected_identifiers");
        builder.HasKey(p => p.Id);
        builder.Property(p => p.Id).HasColumnName("id");
        builder.Property(p => p.Kind).HasColumnName("kind");
        builder.Property(p => p.Value).HasColumnName("value");
        builder.Property(p => p.Display).HasColumnName("display");
        builder.Property(p => p.Reason).HasColumnName("reason");
        builder.Property(p => p.CreatedAt).HasColumnName("created_at");
        builder.Property(p => p.CreatedBy).HasColumnName("created_by");
        builder.Property(p => p.RemovedAt).HasColumnName("removed_at");
        builder.Property(p => p.RemovedBy).HasColumnName("removed_by");
    }
}

internal sealed class ProtectionOverrideConfiguration : IEntityTypeConfiguration<ProtectionOverride>
{
    public void Configure(EntityTypeBuilder<ProtectionOverride> builder)
    {
        builder.ToTable("protection_overrides");
        builder.HasKey(p => p.Id);
        builder.Property(p => p.Id).HasColumnName("id");
        builder.Property(p => p.Kind).HasColumnName("kind");
        builder.Property(p => p.Value).HasColumnName("value");
        builder.Property(p => p.Reason).HasColumnName("reason");
        builder.Property(p => p.CreatedAt).HasColumnName("created_at");
        builder.Property(p => p.CreatedBy).HasColumnName("created_by");
        builder.Property(p => p.RemovedAt).HasColumnName("removed_at");
        builder.Property(p => p.RemovedBy).HasColumnName("removed_by");
    }
}

internal sealed class ListStateConfiguration : IEntityTypeConfiguration<ListState>
{
    public void Configure(EntityTypeBuilder<ListState> builder)
    {
        builder.ToTable("list_state");
        builder.HasKey(s => s.Id);
        builder.Property(s => s.Id).HasColumnName("id").ValueGeneratedNever();
        builder.Property(s => s.Version).HasColumnName("version");
    }
}

internal sealed class AppealConfiguration : IEntityTypeConfiguration<Appeal>
{
    public void Configure(EntityTypeBuilder<Appeal> builder)
    {
        builder.ToTable("appeals");
        builder.HasKey(x => x.Id);
        builder.Property(x => x.Id).HasColumnName("id");
        builder.Property(x => x.TrackingCode).HasColumnName("tracking_code");
        builder.Property(x => x.TokenHash).HasColumnName("token_hash");
        builder.Property(x => x.EntryId).HasColumnName("entry_id");
        builder.Property(x => x.Kind).HasColumnName("kind");
        builder.Property(x => x.Value).HasColumnName("value");
        builder.Property(x => x.Query).HasColumnName("query");
        builder.Property(x => x.AppellantName).HasColumnName("appellant_name");
        builder.Property(x => x.AppellantContact).HasColumnName("appellant_contact");
        builder.Property(x => x.ContactHash).HasColumnName("contact_hash");
        builder.Property(x => x.Statement).HasColumnName("statement");
        builder.Property(x => x.Evidence).HasColumnName("evidence");
        builder.Property(x => x.Status).HasColumnName("status");
        builder.Property(x => x.CreatedAt).HasColumnName("created_at");
        builder.Property(x => x.DueBy).HasColumnName("due_by");
        builder.Property(x => x.AssignedTo).HasColumnName("assigned_to");
        builder.Property(x => x.DecidedAt).HasColumnName("decided_at");
        builder.Property(x => x.DecidedBy).HasColumnName("decided_by");
        builder.Property(x => x.DecisionReason).HasColumnName("decision_reason");
        builder.Property(x => x.Verification).HasColumnName("verification");
        builder.Property(x => x.VerificationNote).HasColumnName("verification_note");
        builder.Property(x => x.Revision).HasColumnName("revision").IsConcurrencyToken();
    }
}

internal sealed class AppealEventConfiguration : IEntityTypeConfiguration<AppealEvent>
{
    public void Configure(EntityTypeBuilder<AppealEvent> builder)
    {
        builder.ToTable("appeal_events");
        builder.HasKey(x => x.Id);
        builder.Property(x => x.Id).HasColumnName("id");
        builder.Property(x => x.AppealId).HasColumnName("appeal_id");
        builder.Property(x => x.At).HasColumnName("at");
        builder.Property(x => x.Actor).HasColumnName("actor");
        builder.Property(x => x.Action).HasColumnName("action");
        builder.Property(x => x.FromStatus).HasColumnName("from_status");
        builder.Property(x => x.ToStatus).HasColumnName("to_status");
        builder.Property(x => x.PublicMessage).HasColumnName("public_message");
        builder.Property(x => x.InternalNote).HasColumnName("internal_note");
    }
}

internal sealed class AppealAttachmentConfiguration : IEntityTypeConfiguration<AppealAttachment>
{
    public void Configure(EntityTypeBuilder<AppealAttachment> builder)
    {
        builder.ToTable("appeal_attachments");
        builder.HasKey(x => x.Id);
        builder.Property(x => x.Id).HasColumnName("id");
        builder.Property(x => x.AppealId).HasColumnName("appeal_id");
        builder.Property(x => x.FileName).HasColumnName("file_name");
        builder.Property(x => x.ContentType).HasColumnName("content_type");
        builder.Property(x => x.Size).HasColumnName("size");
        builder.Property(x => x.Sha256).HasColumnName("sha256");
        builder.Property(x => x.Content).HasColumnName("content");
        builder.Property(x => x.CreatedAt).HasColumnName("created_at");
    }
}

internal sealed class ReportConfiguration : IEntityTypeConfiguration<Report>
{
    public void Configure(EntityTypeBuilder<Report> builder)
    {
        builder.ToTable("reports");
        builder.HasKey(x => x.Id);
        builder.Property(x => x.Id).HasColumnName("id");
        builder.Property(x => x.Kind).HasColumnName("kind");
        builder.Property(x => x.Value).HasColumnName("value");
        builder.Property(x => x.Query).HasColumnName("query");
        builder.Property(x => x.Category).HasColumnName("category");
        builder.Property(x => x.Description).HasColumnName("description");
        builder.Property(x => x.OccurredAt).HasColumnName("occurred_at");
        builder.Property(x => x.Evidence).HasColumnName("evidence");
        builder.Property(x => x.ReporterHash).HasColumnName("reporter_hash");
        builder.Property(x => x.ReporterType).HasColumnName("reporter_type");
        builder.Property(x => x.NetworkHash).HasColumnName("network_hash");
        builder.Property(x => x.Times).HasColumnName("times");
        builder.Property(x => x.CreatedAt).HasColumnName("created_at");
        builder.Property(x => x.LastAt).HasColumnName("last_at");
        builder.Property(x => x.Status).HasColumnName("status");
        builder.Property(x => x.DecidedAt).HasColumnName("decided_at");
        builder.Property(x => x.DecidedBy).HasColumnName("decided_by");
        builder.Property(x => x.DecisionReason).HasColumnName("decision_reason");
        builder.Property(x => x.EntryId).HasColumnName("entry_id");
    }
}
