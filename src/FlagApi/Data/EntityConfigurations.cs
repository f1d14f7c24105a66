using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace FlagApi.Data;

internal sealed class EntryConfiguration : IEntityTypeConfiguration<Entry>
{
    public void Configure(EntityTypeBuilder<Entry> builder)
    {
        builder.ToTable("entries");
        builder.HasKey(e => e.Id);
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
        builder.HasOne(s => s.List).WithMany().HasForeignKey(s => s.ListId);
    }
}

internal sealed class EntryHistoryConfiguration : IEntityTypeConfiguration<EntryHistory>
{
    public void Configure(EntityTypeBuilder<EntryHistory> builder)
    {
        builder.ToTable("entry_history");
        builder.HasKey(h => h.Id);
    }
}

internal sealed class ChangeLogConfiguration : IEntityTypeConfiguration<ChangeLogRow>
{
    public void Configure(EntityTypeBuilder<ChangeLogRow> builder)
    {
        builder.ToTable("change_log");
        builder.HasKey(c => c.Version);
        builder.Property(c => c.Version).ValueGeneratedNever();
    }
}

internal sealed class PublishedListConfiguration : IEntityTypeConfiguration<PublishedList>
{
    public void Configure(EntityTypeBuilder<PublishedList> builder)
    {
        builder.ToTable("lists");
        builder.HasKey(l => l.Id);
        builder.HasIndex(l => new { l.Agency, l.Reference }).IsUnique();
    }
}

internal sealed class ApiKeyConfiguration : IEntityTypeConfiguration<ApiKey>
{
    public void Configure(EntityTypeBuilder<ApiKey> builder)
    {
        builder.ToTable("api_keys");
        builder.HasKey(k => k.Id);
        builder.HasIndex(k => k.KeyHash).IsUnique();
    }
}

internal sealed class AuditRecordConfiguration : IEntityTypeConfiguration<AuditRecord>
{
    public void Configure(EntityTypeBuilder<AuditRecord> builder)
    {
        builder.ToTable("audit_log");
        builder.HasKey(a => a.Id);
    }
}

internal sealed class ProtectedIdentifierConfiguration : IEntityTypeConfiguration<ProtectedIdentifier>
{
    public void Configure(EntityTypeBuilder<ProtectedIdentifier> builder)
    {
        builder.ToTable("protected_identifiers");
        builder.HasKey(p => p.Id);
    }
}

internal sealed class ProtectionOverrideConfiguration : IEntityTypeConfiguration<ProtectionOverride>
{
    public void Configure(EntityTypeBuilder<ProtectionOverride> builder)
    {
        builder.ToTable("protection_overrides");
        builder.HasKey(p => p.Id);
    }
}

internal sealed class ListStateConfiguration : IEntityTypeConfiguration<ListState>
{
    public void Configure(EntityTypeBuilder<ListState> builder)
    {
        builder.ToTable("list_state");
        builder.HasKey(s => s.Id);
        builder.Property(s => s.Id).ValueGeneratedNever();
    }
}

internal sealed class AppealConfiguration : IEntityTypeConfiguration<Appeal>
{
    public void Configure(EntityTypeBuilder<Appeal> builder)
    {
        builder.ToTable("appeals");
        builder.HasKey(x => x.Id);
        builder.Property(x => x.Revision).IsConcurrencyToken();
    }
}

internal sealed class AppealEventConfiguration : IEntityTypeConfiguration<AppealEvent>
{
    public void Configure(EntityTypeBuilder<AppealEvent> builder)
    {
        builder.ToTable("appeal_events");
        builder.HasKey(x => x.Id);
    }
}

internal sealed class AppealAttachmentConfiguration : IEntityTypeConfiguration<AppealAttachment>
{
    public void Configure(EntityTypeBuilder<AppealAttachment> builder)
    {
        builder.ToTable("appeal_attachments");
        builder.HasKey(x => x.Id);
    }
}

internal sealed class ReportConfiguration : IEntityTypeConfiguration<Report>
{
    public void Configure(EntityTypeBuilder<Report> builder)
    {
        builder.ToTable("reports");
        builder.HasKey(x => x.Id);
    }
}

internal sealed class NotificationConfiguration : IEntityTypeConfiguration<Notification>
{
    public void Configure(EntityTypeBuilder<Notification> builder)
    {
        builder.ToTable("notifications");
        builder.HasKey(x => x.Id);
    }
}

internal sealed class WatchConfiguration : IEntityTypeConfiguration<Watch>
{
    public void Configure(EntityTypeBuilder<Watch> builder)
    {
        builder.ToTable("watches");
        builder.HasKey(x => x.Id);
        builder.Property(x => x.Revision).IsConcurrencyToken();
    }
}

internal sealed class ChangeLogReaderConfiguration : IEntityTypeConfiguration<ChangeLogReader>
{
    public void Configure(EntityTypeBuilder<ChangeLogReader> builder)
    {
        builder.ToTable("change_log_readers");
        builder.HasKey(x => x.Name);
    }
}
