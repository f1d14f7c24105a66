namespace FlagApi.Messages;

/// <summary>The refusals of a message check.</summary>
public static class MessageCheckProblems
{
    /// <summary>No <c>text</c>, null, or only white space.</summary>
    public const string MissingText = "missing_text";

    /// <summary>More than <see cref="MessageCheckService.MaxTextLength"/> characters.</summary>
    public const string TextTooLong = "text_too_long";
}
