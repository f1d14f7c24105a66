using Microsoft.Extensions.DependencyInjection.Extensions;
using MimeKit;

namespace FlagApi.Notifications;

public static class NotificationsServiceExtensions
{
    /// <summary>The outbox's sender and its channels (SMTP e-mail, SMS recorded for an operator); capabilities fill the outbox.</summary>
    public static IHostApplicationBuilder AddNotifications(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<NotificationsOptions>()
            .BindConfiguration(NotificationsOptions.Section)
            .ValidateDataAnnotations()
            .Validate(o => o.PollInterval > TimeSpan.Zero, "Notifications:PollInterval must be positive.")
            .Validate(o => o.FirstRetryDelay > TimeSpan.Zero && o.MaxRetryDelay >= o.FirstRetryDelay,
                "Notifications:FirstRetryDelay must be positive and Notifications:MaxRetryDelay at least as long.")
            .Validate(o => o.Lease > o.Smtp.Timeout * 2,
                "Notifications:Lease must be longer than twice Notifications:Smtp:Timeout, so that no other sender takes a message still being sent.")
            .Validate(o => string.IsNullOrWhiteSpace(o.Smtp.Host) || MailboxAddress.TryParse(o.Smtp.From, out _),
                "Notifications:Smtp:From must be an e-mail address (e.g. FlagApi <appeals@example.org>) when Notifications:Smtp:Host is set.")
            .Validate(o => o.Smtp.Username.Length == 0 == (o.Smtp.Password.Length == 0),
                "Notifications:Smtp:Username and Notifications:Smtp:Password are set together or not at all.")
            .Validate(o => !string.IsNullOrWhiteSpace(o.Sms.RecordFile), "Notifications:Sms:RecordFile must name a file.")
            .ValidateOnStart();

        builder.Services.TryAddSingleton<OutboxSignal>();
        builder.Services.AddSingleton<INotificationChannel, SmtpEmailChannel>();
        builder.Services.AddSingleton<INotificationChannel, OperatorSmsChannel>();
        builder.Services.AddSingleton<NotificationSender>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<NotificationSender>());
        return builder;
    }
}
