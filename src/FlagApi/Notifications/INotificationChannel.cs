namespace FlagApi.Notifications;

/// <summary>One message of the outbox as a channel sends it.</summary>
/// <param name="MessageId">The same on every attempt (the e-mail's Message-ID), so a receiver can drop a repeated delivery.</param>
public sealed record OutgoingNotification(
    long Id, string Channel, string Recipient, string Language, string Template, string Subject, string Body, string MessageId, DateTime CreatedAt);

/// <summary>
/// A way to reach a person: <see cref="NotificationChannels.Email"/> (SMTP) or <see cref="NotificationChannels.Sms"/>. The
/// sender uses the last one registered for each name, so a deployment plugs a carrier's SMS gateway in by registering its own
/// channel named <c>sms</c> after <c>AddNotifications</c> (README, "Notifications").
/// </summary>
public interface INotificationChannel
{
    /// <summary>The outbox's channel this sends: <c>email</c> or <c>sms</c>.</summary>
    string Name { get; }

    /// <summary>
    /// False while the channel cannot send (no mail server configured): its rows wait in the outbox, untouched.
    /// </summary>
    bool IsConfigured { get; }

    /// <summary>
    /// Returns once the receiving system has accepted the message; throws when it did not, and the sender tries again later.
    /// </summary>
    Task SendAsync(OutgoingNotification message, CancellationToken cancellationToken);
}
