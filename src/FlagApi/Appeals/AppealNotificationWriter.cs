using System.Runtime.CompilerServices;
using FlagApi.Data;
using FlagApi.Identifiers;
using FlagApi.Notifications;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Options;

namespace FlagApi.Appeals;

/// <summary>
/// Writes the appellant's message for each appeal event that has one (<see cref="AppealNotices.Actions"/>) into the outbox
/// of the same SaveChanges, and so of the same transaction, as the event: every path that records an appeal event (filing,
/// a reviewer's request, a decision alone or in bulk, an appeal closed because its entry was cleared) notifies without
/// knowing it, and a rolled-back event leaves no message behind. A SaveChanges interceptor rather than a hook in the
/// context, so that <c>Data/</c> knows no capability.
/// </summary>
public sealed class AppealNotificationWriter(
    IConfiguration configuration,
    IOptions<AppealsOptions> appeals,
    IOptions<IdentifierOptions> identifiers,
    OutboxSignal signal,
    TimeProvider time) : SaveChangesInterceptor, IDbTransactionInterceptor
{
    // An event whose save failed and is saved again (its entity still added) must not get a second message.
    private readonly ConditionalWeakTable<AppealEvent, Notification> written = [];
    private readonly ConditionalWeakTable<DbContext, object> wroteSome = [];

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        if (eventData.Context is FlagDbContext db)
        {
            foreach (var appealEvent in Unwritten(db))
            {
                var appeal = db.Appeals.Local.FirstOrDefault(a => a.Id == appealEvent.AppealId)
                    ?? db.Appeals.AsNoTracking().FirstOrDefault(a => a.Id == appealEvent.AppealId);
                Write(db, appeal, appealEvent);
            }
        }

        return result;
    }

    public override async ValueTask<InterceptionResult<int>> SavingChangesAsync(
        DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        if (eventData.Context is FlagDbContext db)
        {
            foreach (var appealEvent in Unwritten(db))
            {
                var appeal = db.Appeals.Local.FirstOrDefault(a => a.Id == appealEvent.AppealId)
                    ?? await db.Appeals.AsNoTracking().FirstOrDefaultAsync(a => a.Id == appealEvent.AppealId, cancellationToken);
                Write(db, appeal, appealEvent);
            }
        }

        return result;
    }

    public override int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        WakeUnlessInTransaction(eventData.Context);
        return result;
    }

    public override ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        WakeUnlessInTransaction(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public void TransactionCommitted(System.Data.Common.DbTransaction transaction, TransactionEndEventData eventData) => Wake(eventData.Context);

    public Task TransactionCommittedAsync(System.Data.Common.DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Wake(eventData.Context);
        return Task.CompletedTask;
    }

    public void TransactionRolledBack(System.Data.Common.DbTransaction transaction, TransactionEndEventData eventData) => Forget(eventData.Context);

    public Task TransactionRolledBackAsync(System.Data.Common.DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Forget(eventData.Context);
        return Task.CompletedTask;
    }

    private List<AppealEvent> Unwritten(FlagDbContext db) =>
        [.. db.ChangeTracker.Entries<AppealEvent>()
            .Where(e => e.State == EntityState.Added && AppealNotices.Actions.Contains(e.Entity.Action) && !written.TryGetValue(e.Entity, out _))
            .Select(e => e.Entity)];

    private void Write(FlagDbContext db, Appeal? appeal, AppealEvent appealEvent)
    {
        if (appeal is null || NotificationContacts.For(appeal.AppellantContact, identifiers.Value) is not { } address)
        {
            return;
        }

        // Portal:OfficialAddress (validated by the portal) is read by its key: the portal's pages use the appeals, not the reverse.
        var official = (configuration["Portal:OfficialAddress"] ?? "").TrimEnd('/');
        var notice = AppealNotices.Render(appeal, appealEvent, official.Length > 0 ? official + "/track" : null, appeals.Value.RejectionCooldown);
        if (notice is null)
        {
            return;
        }

        var now = time.GetUtcNow().UtcDateTime;
        var notification = NotificationOutbox.Add(db, address.Channel, address.Recipient, appeal.Language, notice.Template, notice.Subject, notice.Body,
            "appeal", appeal.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), now);
        written.AddOrUpdate(appealEvent, notification);
        wroteSome.AddOrUpdate(db, notification);
    }

    /// <summary>
    /// Wakes this instance's sender once messages are committed: after the save, or inside a transaction after its commit,
    /// since the sender could not see them before. Other instances find them at their next poll (Notifications:PollInterval).
    /// </summary>
    private void WakeUnlessInTransaction(DbContext? context)
    {
        if (context?.Database.CurrentTransaction is null)
        {
            Wake(context);
        }
    }

    private void Wake(DbContext? context)
    {
        if (context is not null && wroteSome.Remove(context))
        {
            signal.Written.Raise();
        }
    }

    private void Forget(DbContext? context)
    {
        if (context is not null)
        {
            wroteSome.Remove(context);
        }
    }
}
