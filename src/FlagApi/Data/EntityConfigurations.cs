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
        builder.HasIndex(l => new { l.Agency, l.Reference }).IsUnique();
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
