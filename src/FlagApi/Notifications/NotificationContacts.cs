using FlagApi.Identifiers;
using MimeKit;

namespace FlagApi.Notifications;

/// <summary>Where a message to someone who gave a free-text contact ("a phone number or e-mail address") goes.</summary>
public sealed record NotificationAddress(string Channel, string Recipient);

public static class NotificationContacts
{
    /// <summary>
    /// An e-mail address (one mailbox, <c>local@domain.tld</c>) goes by e-mail; a number the phone rules read as a mobile line
    /// (or one the plan cannot tell from a fixed line, as in the US) goes by SMS, to its canonical form; anything else
    /// (a landline, a QQ number, a name) gets no message, and the appellant follows the appeal on the tracking page.
    /// </summary>
    public static NotificationAddress? For(string? contact, IdentifierOptions rules)
    {
        var text = contact?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        if (text.Contains('@', StringComparison.Ordinal))
        {
            return MailboxAddress.TryParse(text, out var mailbox)
                && mailbox.Address == text
                && mailbox.Address.LastIndexOf('@') is var at and > 0
                && mailbox.Address[(at + 1)..] is var domain && domain.Contains('.', StringComparison.Ordinal) && !domain.EndsWith('.')
                    ? new NotificationAddress(NotificationChannels.Email, mailbox.Address)
                    : null;
        }

        var phone = Phones.Canonicalize(text, rules.DefaultPhoneRegion);
        return phone.IsValid && Phones.Describe(phone.Value!)?.Kind is PhoneNumberKind.Mobile or PhoneNumberKind.FixedLineOrMobile
            ? new NotificationAddress(NotificationChannels.Sms, phone.Value!)
            : null;
    }
}
