using System.Globalization;
using System.Text.Json;
using FlagApi.Data;
using Microsoft.Extensions.Options;

namespace FlagApi.Lookup;

/// <summary>
/// Writes lookup answers straight to the response, property by property, the bytes the serializer would write
/// (a test compares them over many answers). Lookups are the hot path: the general serializer spent more time on
/// one answer than finding it did, most of it naming enum values.
/// </summary>
internal static class LookupJson
{
    public static void Write(Utf8JsonWriter writer, LookupResponse response)
    {
        writer.WriteStartObject();
        writer.WriteString("kind"u8, response.Kind);
        writer.WriteString("query"u8, response.Query);
        writer.WriteString("canonical"u8, response.Canonical);
        WriteEnum(writer, "verdict"u8, response.Verdict);
        writer.WriteBoolean("flagged"u8, response.Flagged);
        WriteMatches(writer, response.Matches);
        WriteReports(writer, response.Reports);
        writer.WriteNumber("listVersion"u8, response.ListVersion);
        WriteProtected(writer, response.Protected);
        WritePhone(writer, response.Phone);
        WriteNotice(writer, response.Notice);
        writer.WriteEndObject();
    }

    public static void Write(Utf8JsonWriter writer, BatchLookupResponse response)
    {
        writer.WriteStartObject();
        writer.WriteStartArray("results"u8);
        for (var i = 0; i < response.Results.Count; i++)
        {
            var result = response.Results[i];
            writer.WriteStartObject();
            writer.WriteString("kind"u8, result.Kind);
            writer.WriteString("query"u8, result.Query);
            if (result.Canonical is not null)
            {
                writer.WriteString("canonical"u8, result.Canonical);
            }

            if (result.Verdict is { } verdict)
            {
                WriteEnum(writer, "verdict"u8, verdict);
            }

            if (result.Flagged is { } flagged)
            {
                writer.WriteBoolean("flagged"u8, flagged);
            }

            if (result.Matches is not null)
            {
                WriteMatches(writer, result.Matches);
            }

            if (result.Reports is not null)
            {
                WriteReports(writer, result.Reports);
            }

            if (result.Error is { } error)
            {
                writer.WriteStartObject("error"u8);
                writer.WriteString("code"u8, error.Code);
                writer.WriteString("detail"u8, error.Detail);
                writer.WriteEndObject();
            }

            if (result.Protected is not null)
            {
                WriteProtected(writer, result.Protected);
            }

            WritePhone(writer, result.Phone);
            WriteNotice(writer, result.Notice);

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteNumber("listVersion"u8, response.ListVersion);
        writer.WriteEndObject();
    }

    private static void WriteMatches(Utf8JsonWriter writer, IReadOnlyList<LookupMatch> matches)
    {
        writer.WriteStartArray("matches"u8);
        // Indexed, not foreach: an interface's enumerator is an object per answer.
        for (var i = 0; i < matches.Count; i++)
        {
            var match = matches[i];
            writer.WriteStartObject();
            writer.WriteNumber("entryId"u8, match.EntryId);
            writer.WriteString("kind"u8, match.Kind);
            writer.WriteString("value"u8, match.Value);
            writer.WriteString("expression"u8, match.Expression);
            WriteEnum(writer, "category"u8, match.Category);
            WriteEnum(writer, "risk"u8, match.Risk);
            WriteEnum(writer, "status"u8, match.Status);
            writer.WriteString("firstSeen"u8, match.FirstSeen);
            writer.WriteString("lastSeen"u8, match.LastSeen);
            WriteTimestamp(writer, "expiresAt"u8, match.ExpiresAt);
            writer.WriteStartArray("sources"u8);
            for (var j = 0; j < match.Sources.Count; j++)
            {
                var source = match.Sources[j];
                writer.WriteStartObject();
                writer.WriteString("type"u8, source.Type);
                writer.WriteString("label"u8, source.Label);
                WriteNumber(writer, "listId"u8, source.ListId);

                writer.WriteString("addedAt"u8, source.AddedAt);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    private static void WriteReports(Utf8JsonWriter writer, ReportSignal reports)
    {
        writer.WriteStartObject("reports"u8);
        writer.WriteNumber("count"u8, reports.Count);
        WriteTimestamp(writer, "lastAt"u8, reports.LastAt);
        if (reports.TopCategory is { } top)
        {
            WriteEnum(writer, "topCategory"u8, top);
        }
        else
        {
            writer.WriteNull("topCategory"u8);
        }

        writer.WriteEndObject();
    }

    private static void WriteProtected(Utf8JsonWriter writer, ProtectionNotice? notice)
    {
        if (notice is null)
        {
            writer.WriteNull("protected"u8);
            return;
        }

        writer.WriteStartObject("protected"u8);
        writer.WriteString("kind"u8, notice.Kind);
        writer.WriteString("value"u8, notice.Value);
        writer.WriteString("display"u8, notice.Display);
        writer.WriteString("reason"u8, notice.Reason);
        writer.WriteEndObject();
    }

    private static void WritePhone(Utf8JsonWriter writer, PhoneDetails? phone)
    {
        if (phone is null)
        {
            return;
        }

        writer.WriteStartObject("phone"u8);
        WriteEnum(writer, "type"u8, phone.Type);
        if (phone.Region is { } region)
        {
            writer.WriteString("region"u8, region);
        }
        else
        {
            writer.WriteNull("region"u8);
        }

        writer.WriteBoolean("virtualOperator"u8, phone.VirtualOperator);
        writer.WriteBoolean("knownRange"u8, phone.KnownRange);
        writer.WriteEndObject();
    }

    private static void WriteNotice(Utf8JsonWriter writer, FlagNotice? notice)
    {
        if (notice is null)
        {
            return;
        }

        writer.WriteStartObject("notice"u8);
        writer.WriteString("language"u8, notice.Language);
        writer.WriteString("summary"u8, notice.Summary);
        WriteEnum(writer, "category"u8, notice.Category);
        writer.WriteString("reason"u8, notice.Reason);
        writer.WriteStartArray("listedBy"u8);
        for (var i = 0; i < notice.ListedBy.Count; i++)
        {
            var listing = notice.ListedBy[i];
            writer.WriteStartObject();
            writer.WriteString("source"u8, listing.Source);
            writer.WriteString("label"u8, listing.Label);
            writer.WriteString("agency"u8, listing.Agency);
            WriteNumber(writer, "listId"u8, listing.ListId);

            writer.WriteString("reference"u8, listing.Reference);
            writer.WriteString("title"u8, listing.Title);
            if (listing.PublishedOn is { } publishedOn)
            {
                writer.WriteString("publishedOn"u8, publishedOn.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            }
            else
            {
                writer.WriteNull("publishedOn"u8);
            }

            writer.WriteString("listedAt"u8, listing.ListedAt);
            WriteEnum(writer, "category"u8, listing.Category);
            writer.WriteString("reason"u8, listing.Reason);
            writer.WriteBoolean("reasonFromPublisher"u8, listing.ReasonFromPublisher);
            writer.WriteString("contact"u8, listing.Contact);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteStartObject("appeal"u8);
        writer.WriteString("portal"u8, notice.Appeal.Portal);
        writer.WriteString("api"u8, notice.Appeal.Api);
        writer.WriteNumber("decisionWithinHours"u8, notice.Appeal.DecisionWithinHours);
        writer.WriteString("decisionTime"u8, notice.Appeal.DecisionTime);
        writer.WriteEndObject();
        writer.WriteStartArray("evidence"u8);
        for (var i = 0; i < notice.Evidence.Count; i++)
        {
            writer.WriteStringValue(notice.Evidence[i]);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static void WriteNumber(Utf8JsonWriter writer, ReadOnlySpan<byte> name, long? value)
    {
        if (value is { } number)
        {
            writer.WriteNumber(name, number);
        }
        else
        {
            writer.WriteNull(name);
        }
    }

    private static void WriteTimestamp(Utf8JsonWriter writer, ReadOnlySpan<byte> name, DateTime? value)
    {
        if (value is { } at)
        {
            writer.WriteString(name, at);
        }
        else
        {
            writer.WriteNull(name);
        }
    }

    private static void WriteEnum<T>(Utf8JsonWriter writer, ReadOnlySpan<byte> name, T value)
        where T : struct, Enum => writer.WriteString(name, EncodedNames<T>.Of(value));

    /// <summary>Each enum value's wire name, encoded once.</summary>
    private static class EncodedNames<T>
        where T : struct, Enum
    {
        private static readonly Dictionary<T, JsonEncodedText> Names = Enum.GetValues<T>().ToDictionary(v => v, v => JsonEncodedText.Encode(WireNames.Of(v)));

        public static JsonEncodedText Of(T value) => Names[value];
    }
}
