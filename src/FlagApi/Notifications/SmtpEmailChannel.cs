using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;

namespace FlagApi.Notifications;

/// <summary>E-mail through the SMTP server of <c>Notifications:Smtp</c>, with MailKit: one connection per message.</summary>
public sealed class SmtpEmailChannel(IOptions<NotificationsOptions> options) : INotificationChannel
{
    public string Name => NotificationChannels.Email;

    public bool IsConfigured => !string.IsNullOrWhiteSpace(options.Value.Smtp.Host);

    public async Task SendAsync(OutgoingNotification message, CancellationToken cancellationToken)
    {
        var smtp = options.Value.Smtp;
        var body = new TextPart(MimeKit.Text.TextFormat.Plain) { Text = message.Body };
        body.Headers.Add(HeaderId.ContentLanguage, message.Language == NoticeLanguages.English ? "en" : "zh-CN");
        var mail = new MimeMessage
        {
            // The row's id, not a new one per attempt: a message delivered twice (accepted, then the sender died before it
            // recorded that) arrives with the same Message-ID, which mail systems and readers recognize as one message.
            MessageId = message.MessageId,
            Subject = message.Subject,
            Date = new DateTimeOffset(message.CreatedAt, TimeSpan.Zero),
            Body = body,
        };
        mail.From.Add(MailboxAddress.Parse(smtp.From));
        mail.To.Add(MailboxAddress.Parse(message.Recipient));
        mail.Headers.Add("Auto-Submitted", "auto-generated");

        using var client = new SmtpClient { Timeout = (int)smtp.Timeout.TotalMilliseconds };
        var security = smtp.Security switch
        {
            SmtpSecurity.Ssl => SecureSocketOptions.SslOnConnect,
            SmtpSecurity.StartTls => SecureSocketOptions.StartTls,
            _ => SecureSocketOptions.None,
        };
        await client.ConnectAsync(smtp.Host, smtp.Port, security, cancellationToken);
        if (smtp.Username.Length > 0)
        {
            await client.AuthenticateAsync(smtp.Username, smtp.Password, cancellationToken);
        }

        await client.SendAsync(mail, cancellationToken);
        try
        {
            await client.DisconnectAsync(quit: true, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or SmtpProtocolException or OperationCanceledException)
        {
            // The server accepted the message; a QUIT that fails does not take that back.
        }
    }
}
