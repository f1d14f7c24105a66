using System.Text.RegularExpressions;
using FlagApi.Data;
using FlagApi.Observability;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace FlagApi.Notifications;

/// <summary>Wakes the sender when this instance has committed a message, so it goes out without waiting for the next poll.</summary>
public sealed class OutboxSignal
{
    public RefreshSignal Written { get; } = new();
}

/// <summary>What one pass of the sender did.</summary>
public sealed record DeliveryPass(int Sent, int Retried, int Failed);

/// <summary>
/// Delivers the outbox. Each due row is claimed with a lease (<c>claimed_until</c>) by a conditional update that only one
/// sender can win, so several instances share the work; it is sent with its own Message-ID, and marked <c>sent</c> right
/// after the receiving system accepted it. A failure leaves it <c>pending</c> with the next attempt after an exponential
/// backoff, and after <c>Notifications:MaxAttempts</c> it is <c>failed</c>. A row recorded as sent is never claimed
/// again; the one window for a repeat is a crash between the server's acceptance and that record, and the repeat carries
/// the same Message-ID (docs/operations.md, "Notifications").
/// </summary>
public sealed partial class NotificationSender(
    IServiceScopeFactory scopes,
    IEnumerable<INotificationChannel> channels,
    IOptions<NotificationsOptions> options,
    OutboxSignal signal,
    FlagApiMetrics metrics,
    TimeProvider time,
    ILogger<NotificationSender> logger) : BackgroundService
{
    private const int MaxErrorLength = 500;

    // The last registered per name wins: a deployment's gateway registered after AddNotifications replaces the shipped one.
    private readonly IReadOnlyDictionary<string, INotificationChannel> byName = channels
        .GroupBy(c => c.Name, StringComparer.Ordinal)
        .ToDictionary(g => g.Key, g => g.Last(), StringComparer.Ordinal);

    private readonly HashSet<string> warnedUnconfigured = new(StringComparer.Ordinal);

    /// <summary>Sends what is due now; the background loop calls this, and tests call it to deliver at a moment they choose.</summary>
    public async Task<DeliveryPass> DeliverDueAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var ready = byName.Values.Where(c => c.IsConfigured).Select(c => c.Name).ToList();
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FlagDbContext>();
        await WarnOfUnconfiguredAsync(db, ready, cancellationToken);

        var now = time.GetUtcNow().UtcDateTime;
        var due = await db.Notifications.AsNoTracking()
            .Where(n => n.Status == NotificationStatuses.Pending && n.NextAttemptAt <= now
                && (n.ClaimedUntil == null || n.ClaimedUntil < now) && ready.Contains(n.Channel))
            .OrderBy(n => n.NextAttemptAt).ThenBy(n => n.Id)
            .Select(n => n.Id)
            .Take(settings.BatchSize)
            .ToListAsync(cancellationToken);

        int sent = 0, retried = 0, failed = 0;
        var errors = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var id in due)
        {
            if (await ClaimAsync(db, id, now, settings.Lease, cancellationToken) is not { } row)
            {
                continue;
            }

            var channel = byName[row.Channel];
            try
            {
                await channel.SendAsync(
                    new OutgoingNotification(row.Id, row.Channel, row.Recipient, row.Language, row.Template, row.Subject, row.Body, row.MessageId, row.CreatedAt),
                    cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                await ReleaseAsync(db, id);
                throw;
            }
            catch (Exception ex)
            {
                var error = Describe(ex, row.Recipient);
                var attempts = row.Attempts + 1;
                var givenUp = attempts >= settings.MaxAttempts;
                var next = time.GetUtcNow().UtcDateTime + settings.RetryDelay(attempts);
                await db.Notifications.Where(n => n.Id == id).ExecuteUpdateAsync(s => s
                    .SetProperty(n => n.Attempts, attempts)
                    .SetProperty(n => n.Status, givenUp ? NotificationStatuses.Failed : NotificationStatuses.Pending)
                    .SetProperty(n => n.NextAttemptAt, next)
                    .SetProperty(n => n.ClaimedUntil, (DateTime?)null)
                    .SetProperty(n => n.LastError, error), CancellationToken.None);
                metrics.RecordNotification(row.Channel, givenUp ? "failed" : "retry");
                if (givenUp)
                {
                    failed++;
                    logger.LogError("Notification {NotificationId} ({Template}, {Channel}) was given up after {Attempts} attempts: {Error}",
                        row.Id, row.Template, row.Channel, attempts, error);
                }
                else
                {
                    retried++;
                    errors.TryAdd(row.Channel, error);
                }

                continue;
            }

            await MarkSentAsync(db, row);
            metrics.RecordNotification(row.Channel, "sent");
            sent++;
        }

        // One line per channel and pass: a mail server that is down fails every message of the pass for the same reason.
        foreach (var (channel, error) in errors)
        {
            logger.LogWarning("Notifications on {Channel} could not be delivered ({Error}); they stay in the outbox and are tried again later",
                channel, error);
        }

        return new DeliveryPass(sent, retried, failed);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.SenderEnabled)
        {
            return Task.CompletedTask;
        }

        return PeriodicRefresh.RunAsync(
            options.Value.PollInterval,
            async ct => await DeliverDueAsync(ct),
            ex => logger.LogWarning("The notification sender could not read the outbox ({Reason}); the next poll tries again", DatabaseFailures.Describe(ex)),
            stoppingToken,
            signal.Written);
    }

    /// <summary>The row, if this sender won it: pending, due, and not under another sender's lease.</summary>
    private static async Task<Notification?> ClaimAsync(FlagDbContext db, long id, DateTime now, TimeSpan lease, CancellationToken cancellationToken)
    {
        var until = now + lease;
        var won = await db.Notifications
            .Where(n => n.Id == id && n.Status == NotificationStatuses.Pending && n.NextAttemptAt <= now && (n.ClaimedUntil == null || n.ClaimedUntil < now))
            .ExecuteUpdateAsync(s => s.SetProperty(n => n.ClaimedUntil, until), cancellationToken);
        return won == 1 ? await db.Notifications.AsNoTracking().SingleAsync(n => n.Id == id, cancellationToken) : null;
    }

    /// <summary>
    /// Records the acceptance at once. Should the database refuse now, it is asked again a few times: until it records it,
    /// the lease keeps other senders away, and a row whose record never lands is the one case that may be sent twice.
    /// </summary>
    private async Task MarkSentAsync(FlagDbContext db, Notification row)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var at = time.GetUtcNow().UtcDateTime;
                await db.Notifications.Where(n => n.Id == row.Id).ExecuteUpdateAsync(s => s
                    .SetProperty(n => n.Status, NotificationStatuses.Sent)
                    .SetProperty(n => n.SentAt, at)
                    .SetProperty(n => n.Attempts, row.Attempts + 1)
                    .SetProperty(n => n.ClaimedUntil, (DateTime?)null)
                    .SetProperty(n => n.LastError, (string?)null), CancellationToken.None);
                return;
            }
            catch (Exception ex) when (attempt < 5 && DatabaseFailures.IsUnavailable(ex))
            {
                await Task.Delay(TimeSpan.FromSeconds(attempt), CancellationToken.None);
            }
            catch (Exception ex) when (DatabaseFailures.IsUnavailable(ex))
            {
                logger.LogError("Notification {NotificationId} was delivered but could not be recorded as sent ({Reason}); it may be delivered again, with the same Message-ID, when its lease ends",
                    row.Id, DatabaseFailures.Describe(ex));
                return;
            }
        }
    }

    private static async Task ReleaseAsync(FlagDbContext db, long id)
    {
        try
        {
            await db.Notifications.Where(n => n.Id == id).ExecuteUpdateAsync(s => s.SetProperty(n => n.ClaimedUntil, (DateTime?)null), CancellationToken.None);
        }
        catch (Exception ex) when (DatabaseFailures.IsUnavailable(ex))
        {
            // Stopping during an outage: the lease ends by itself.
        }
    }

    private async Task WarnOfUnconfiguredAsync(FlagDbContext db, List<string> ready, CancellationToken cancellationToken)
    {
        var idle = byName.Keys.Where(name => !ready.Contains(name) && !warnedUnconfigured.Contains(name)).ToList();
        foreach (var name in idle)
        {
            var waiting = await db.Notifications.CountAsync(n => n.Channel == name && n.Status == NotificationStatuses.Pending, cancellationToken);
            if (waiting == 0)
            {
                continue;
            }

            warnedUnconfigured.Add(name);
            logger.LogWarning(
                "{Waiting} notifications on {Channel} wait in the outbox because the channel is not configured (for email: Notifications:Smtp:Host); they are sent once it is",
                waiting, name);
        }
    }

    /// <summary>An error to store and log: never the recipient, nor any address a server's answer may echo.</summary>
    internal static string Describe(Exception ex, string recipient)
    {
        var text = $"{ex.GetType().Name}: {ex.Message}".Replace(recipient, "<recipient>", StringComparison.OrdinalIgnoreCase);
        text = Address().Replace(text, "<address>");
        return text.Length <= MaxErrorLength ? text : text[..MaxErrorLength];
    }

    [GeneratedRegex(@"[^\s<>""']+@[^\s<>""']+")]
    private static partial Regex Address();
}
