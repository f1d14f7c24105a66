using FlagApi.Identifiers;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace FlagApi.Data;

public sealed class FlagDbContext : DbContext
{
    /// <remarks>
    /// No automatic savepoints: EF Core wraps each save inside a transaction in a savepoint, and when releasing it fails
    /// it logs that and goes on. A connection lost at that moment then surfaced at the next command as "Transaction is
    /// already completed", which names no outage, and the write answered 500 instead of 503. Every write here abandons its
    /// whole transaction on any failure, so a savepoint never had anything to save; without them a lost connection
    /// surfaces as the driver's own error, and each save inside a transaction costs two round trips fewer.
    /// </remarks>
    public FlagDbContext(DbContextOptions<FlagDbContext> options)
        : base(options)
    {
        Database.AutoSavepointsEnabled = false;
    }

    public DbSet<Entry> Entries => Set<Entry>();

    public DbSet<EntrySource> EntrySources => Set<EntrySource>();

    public DbSet<EntryHistory> EntryHistory => Set<EntryHistory>();

    public DbSet<ChangeLogRow> ChangeLog => Set<ChangeLogRow>();

    public DbSet<PublishedList> Lists => Set<PublishedList>();

    public DbSet<ListState> ListState => Set<ListState>();

    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();

    public DbSet<AuditRecord> AuditLog => Set<AuditRecord>();

    public DbSet<ProtectedIdentifier> ProtectedIdentifiers => Set<ProtectedIdentifier>();

    public DbSet<ProtectionOverride> ProtectionOverrides => Set<ProtectionOverride>();

    public DbSet<Appeal> Appeals => Set<Appeal>();

    public DbSet<AppealEvent> AppealEvents => Set<AppealEvent>();

    public DbSet<AppealAttachment> AppealAttachments => Set<AppealAttachment>();

    public DbSet<Report> Reports => Set<Report>();

    public DbSet<Notification> Notifications => Set<Notification>();

    public DbSet<Watch> Watches => Set<Watch>();

    public DbSet<ChangeLogReader> ChangeLogReaders => Set<ChangeLogReader>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(FlagDbContext).Assembly);

        // The hand-written schema names every column as its property in snake_case (ContentSha256 → content_sha256).
        foreach (var property in modelBuilder.Model.GetEntityTypes().SelectMany(e => e.GetProperties()))
        {
            property.SetColumnName(SnakeCase(property.Name));
        }

        if (Database.ProviderName == "Microsoft.EntityFrameworkCore.SqlServer")
        {
            SqlServerValueHashes.Configure(modelBuilder);
        }
    }

    private static string SnakeCase(string name) =>
        string.Concat(name.Select((c, i) => i > 0 && char.IsUpper(c) ? "_" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // The schema is written by hand per provider (Data/Migrations); the model only maps onto it.
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
        configurationBuilder.Properties<DateTime?>().HaveConversion<UtcDateTimeConverter>();
        configurationBuilder.Properties<IdentifierKind>().HaveConversion<KindConverter>();
        configurationBuilder.Properties<Category>().HaveConversion<WireNameConverter<Category>>();
        configurationBuilder.Properties<Category?>().HaveConversion<WireNameConverter<Category>>();
        configurationBuilder.Properties<Risk>().HaveConversion<WireNameConverter<Risk>>();
        configurationBuilder.Properties<Risk?>().HaveConversion<WireNameConverter<Risk>>();
        configurationBuilder.Properties<EntryStatus>().HaveConversion<WireNameConverter<EntryStatus>>();
        configurationBuilder.Properties<AppealStatus>().HaveConversion<WireNameConverter<AppealStatus>>();
        configurationBuilder.Properties<AppealStatus?>().HaveConversion<WireNameConverter<AppealStatus>>();
        configurationBuilder.Properties<Verification?>().HaveConversion<WireNameConverter<Verification>>();
    }

    /// <summary>SQLite has no time zone; every time we store is UTC, so it reads back as UTC.</summary>
    private sealed class UtcDateTimeConverter() : ValueConverter<DateTime, DateTime>(
        v => v.Kind == DateTimeKind.Utc ? v : v.ToUniversalTime(),
        v => DateTime.SpecifyKind(v, DateTimeKind.Utc));

    private sealed class KindConverter() : ValueConverter<IdentifierKind, string>(
        v => v.ToWire(),
        v => ParseKind(v))
    {
        private static IdentifierKind ParseKind(string text) =>
            IdentifierKinds.TryParse(text, out var kind) ? kind : throw new FormatException($"'{text}' is not an identifier kind.");
    }

    private sealed class WireNameConverter<T>() : ValueConverter<T, string>(
        v => WireNames.Of(v),
        v => WireNames.Parse<T>(v))
        where T : struct, Enum;
}
