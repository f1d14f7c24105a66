using FlagApi.Data;

namespace FlagApi.Notifications;

/// <summary>The channels a notification can go out on, as the outbox stores them.</summary>
public static class NotificationChannels
{
    public const string Email = "email";
    public const string Sms = "sms";
}

/// <summary>The states of an outbox row.</summary>
public static class NotificationStatuses
{
    public const string Pending = "pending";
    public const string Sent = "sent";
    public const string Failed = "failed";
}

/// <summary>
/// Writes a message to the outbox through the caller's context, so that it is saved (and committed) with the event that
/// causes it, or not at all. The sender delivers it later; nothing is sent from here.
/// </summary>
public static class NotificationOutbox
{
    public static Notification Add(
        FlagDbContext db,
        string channel,
        string recipient,
        string language,
        string template,
        string subject,
        string body,
        string subjectType,
        string subjectId,
        DateTime now)
    {
        var notification = new Notification
        {
            Channel = channel,
            Recipient = recipient,
            Language = language,
            Template = template,
            Subject = subject,
            Body = body,
            SubjectType = subjectType,
            SubjectId = subjectId,
            MessageId = $"{Guid.NewGuid():N}@flagapi",
            CreatedAt = now,
            Status = NotificationStatuses.Pending,
            Attempts = 0,
            NextAttemptAt = now,
        };
        db.Notifications.Add(notification);
        return notification;
    }
}

/// <summary>The languages notifications and notices are written in: <c>zh</c> (the default) and <c>en</c>.</summary>
public static class NoticeLanguages
{
    public const string Chinese = "zh";
    public const string English = "en";

    /// <summary>The longest language tag read: RFC 5646 asks that tags of up to 35 characters be supported.</summary>
    public const int MaxTagLength = 35;

    /// <summary><c>zh</c> or <c>en</c> for a tag such as <c>zh-CN</c>, <c>en-GB</c> or <c>EN</c>; null for anything else.</summary>
    public static string? Normalize(string? tag)
    {
        var primary = tag?.Trim().Split('-', '_')[0].ToLowerInvariant();
        return primary switch
        {
            "zh" => Chinese,
            "en" => English,
            _ => null,
        };
    }

    /// <summary>The language asked for, else the first of <c>zh</c>/<c>en</c> the request's Accept-Language prefers, else <c>zh</c>.</summary>
    public static string Choose(string? requested, HttpRequest? request)
    {
        if (Normalize(requested) is { } chosen)
        {
            return chosen;
        }

        var accepted = request?.GetTypedHeaders().AcceptLanguage ?? [];
        foreach (var language in accepted.OrderByDescending(l => l.Quality ?? 1))
        {
            if (Normalize(language.Value.Value) is { } preferred)
            {
                return preferred;
            }
        }

        return Chinese;
    }
}
