using FlagApi.Data;
using FlagApi.Entries;
using Microsoft.EntityFrameworkCore;

namespace FlagApi.Appeals;

/// <summary>
/// When an entry stops being flagged (issue 23, item 5), every appeal still open on it has nothing left to decide: it is
/// closed as <c>resolved</c>, with an event that tells the appellant why in plain words, in the ledger write's transaction.
/// The appeal an approval decided is no longer open by then, so only the others are closed.
/// </summary>
public sealed class OpenAppealResolver(FlagDbContext db) : IFlagEndedHandler
{
    /// <summary>The event's action; the notifications of appeal events send the appellant a message for it.</summary>
    public const string Action = "resolved";

    // Entries ended by one write (an expiry batch, a retraction of a large list) are looked up in chunks.
    private const int Chunk = 500;

    private static readonly AppealStatus[] OpenStatuses = [.. Enum.GetValues<AppealStatus>().Where(AppealStates.IsOpen)];

    public async Task FlagsEndedAsync(LedgerTransaction ledger, CancellationToken cancellationToken)
    {
        var how = ledger.Ended.GroupBy(e => e.EntryId).ToDictionary(g => g.Key, g => g.Last().How);
        foreach (var chunk in how.Keys.Chunk(Chunk))
        {
            var open = await db.Appeals
                .Where(a => chunk.Contains(a.EntryId) && OpenStatuses.Contains(a.Status))
                .OrderBy(a => a.Id)
                .ToListAsync(cancellationToken);
            foreach (var appeal in open)
            {
                await ResolveAsync(appeal, how[appeal.EntryId], ledger, cancellationToken);
            }
        }
    }

    /// <summary>
    /// The appellant's words for how the flag ended, in the language the appeal was filed in (<c>zh</c> or <c>en</c>): the
    /// tracking page and the notification show them as they are.
    /// </summary>
    public static string Reason(FlagEnd how, string language) => (how, language == "en") switch
    {
        (FlagEnd.AppealApproved, true) => "The identifier is no longer flagged: another appeal on it was approved. Nothing more is needed from you.",
        (FlagEnd.AppealApproved, false) => "该标识已不再被标记：针对它的另一份申诉已经通过。您不需要再做什么。",
        (FlagEnd.NewOwner, true) => "The identifier is no longer flagged: a reviewer verified its current owner and removed the flags older than their ownership. Nothing more is needed from you.",
        (FlagEnd.NewOwner, false) => "该标识已不再被标记：审核人员核实了现使用人，并撤销了其使用之前的标记。您不需要再做什么。",
        (FlagEnd.ListRetracted, true) => "The identifier is no longer flagged: the publisher withdrew the list that flagged it. Nothing more is needed from you.",
        (FlagEnd.ListRetracted, false) => "该标识已不再被标记：发布机关撤回了标记它的名单。您不需要再做什么。",
        (FlagEnd.Expired, true) => "The identifier is no longer flagged: its flag expired. Nothing more is needed from you.",
        (FlagEnd.Expired, false) => "该标识已不再被标记：标记已到期。您不需要再做什么。",
        _ => throw new ArgumentOutOfRangeException(nameof(how), how, null),
    };

    /// <summary>
    /// One appeal at a time, each in its own SaveChanges (a savepoint inside the ledger's transaction): an appellant writing
    /// to it at the same moment (PostgreSQL does not hold the appeal row for the ledger) makes the revision check fail for
    /// that appeal alone, which is read again and closed as it now stands rather than failing the whole write.
    /// </summary>
    private async Task ResolveAsync(Appeal appeal, FlagEnd how, LedgerTransaction ledger, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            if (!AppealStates.CanResolve(appeal.Status))
            {
                return;
            }

            var from = appeal.Status;
            var reason = Reason(how, appeal.Language);
            appeal.Status = AppealStatus.Resolved;
            appeal.DecidedAt = ledger.Now;
            appeal.DecidedBy = ledger.Actor;
            appeal.DecisionReason = reason;
            appeal.Revision++;
            var resolved = db.AppealEvents.Add(new AppealEvent
            {
                AppealId = appeal.Id,
                At = ledger.Now,
                Actor = ledger.Actor,
                Action = Action,
                FromStatus = from,
                ToStatus = AppealStatus.Resolved,
                PublicMessage = reason,
            });
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                ledger.Audit("appeal.resolved", "appeal", appeal.Id, new
                {
                    appeal.TrackingCode,
                    entryId = appeal.EntryId,
                    from = WireNames.Of(from),
                    how = WireNames.Of(how),
                });
                return;
            }
            catch (DbUpdateConcurrencyException) when (attempt < 3)
            {
                resolved.State = EntityState.Detached;
                await db.Entry(appeal).ReloadAsync(cancellationToken);
            }
        }
    }
}
