using System.Globalization;
using PhoneNumbers;

namespace FlagApi.Identifiers.Tests;

/// <summary>
/// FlagApi's phone rules held against Google's libphonenumber: wherever the reference says a number is valid, FlagApi
/// gives the same E.164 form, so a police list and an app that spell one number differently meet on one entry. Every
/// deliberate difference is named below; none is a tolerance.
/// </summary>
public class PhoneReferenceTests(ITestOutputHelper output)
{
    private const int Seed = 20261204;

    private static readonly PhoneNumberUtil Reference = PhoneNumberUtil.GetInstance();

    [Fact]
    public void WhereTheReferenceSaysANumberIsValidFlagApiGivesItsE164Form()
    {
        var inputs = PhoneReferenceInputs.All(Seed);
        var validByReference = 0;
        var agreed = 0;
        var exceptions = new Dictionary<string, int>(StringComparer.Ordinal);
        var disagreements = new List<string>();

        foreach (var input in inputs)
        {
            var ours = Phones.Canonicalize(input);
            if (!TryReference(input, out var number) || !Reference.IsValidNumber(number))
            {
                continue;
            }

            validByReference++;
            var expected = Reference.Format(number, PhoneNumberFormat.E164);
            if (ours.IsValid && ours.Value == expected)
            {
                agreed++;
                continue;
            }

            if (DeliberateDifference(input, number, ours) is { } reason)
            {
                exceptions[reason] = exceptions.GetValueOrDefault(reason) + 1;
                continue;
            }

            disagreements.Add($"{HostileText.Show(input)}: reference {expected}, FlagApi {ours}");
        }

        output.WriteLine($"{inputs.Count} inputs (seed {Seed}); the reference finds {validByReference} valid; FlagApi agrees on {agreed}.");
        foreach (var (reason, count) in exceptions.OrderByDescending(pair => pair.Value))
        {
            output.WriteLine($"  deliberate: {count} × {reason}");
        }

        Assert.True(inputs.Count >= 20_000, $"Only {inputs.Count} inputs were generated.");
        Assert.True(validByReference >= 10_000, $"Only {validByReference} inputs are valid numbers; the test would prove little.");
        Assert.True(disagreements.Count == 0, $"{disagreements.Count} disagreements, e.g.:\n" + string.Join("\n", disagreements.Take(30)));
    }

    [Fact]
    public void EveryNumberFlagApiAcceptsIsOneTheReferenceFindsValidOrAPossibleNumberOrOneOfChinasOwn()
    {
        var unknownRanges = 0;
        var chinaOwn = 0;
        var problems = new List<string>();
        foreach (var input in PhoneReferenceInputs.All(Seed))
        {
            var ours = Phones.Canonicalize(input);
            if (!ours.IsValid)
            {
                continue;
            }

            var info = Phones.Describe(ours.Value!);
            Assert.NotNull(info);
            if (info.Kind is PhoneNumberKind.ShortService or PhoneNumberKind.SmsSender)
            {
                chinaOwn++;
                continue;
            }

            var number = Reference.Parse(ours.Value!, "ZZ");
            if (Reference.IsValidNumber(number))
            {
                Assert.True(info.KnownRange, ours.Value);
                continue;
            }

            // A possible number in a range the reference does not know: accepted, and described as such.
            unknownRanges++;
            if (Reference.IsPossibleNumberWithReason(number) != PhoneNumberUtil.ValidationResult.IS_POSSIBLE || info.KnownRange)
            {
                problems.Add($"{HostileText.Show(input)} → {ours.Value}: {Reference.IsPossibleNumberWithReason(number)}, known range {info.KnownRange}");
            }
        }

        output.WriteLine($"accepted in ranges the reference does not know: {unknownRanges}; China's own numbers: {chinaOwn}");
        Assert.True(problems.Count == 0, string.Join("\n", problems.Take(30)));
    }

    [Fact]
    public void TheTypeAndRegionOfEveryNumberAreTheReferences()
    {
        var compared = 0;
        var problems = new List<string>();
        foreach (var input in PhoneReferenceInputs.All(Seed))
        {
            if (!TryReference(input, out var number))
            {
                continue;
            }

            var e164 = Reference.Format(number, PhoneNumberFormat.E164);
            if (Phones.Describe(e164) is not { } info || info.Kind is PhoneNumberKind.ShortService or PhoneNumberKind.SmsSender)
            {
                continue;
            }

            compared++;
            var type = Reference.GetNumberType(number);
            var expected = type == PhoneNumberType.UNKNOWN ? "unknown" : PhoneNumberInfo.Wire(Enum.Parse<PhoneNumberKind>(
                string.Concat(type.ToString().Split('_').Select(word => word[0] + word[1..].ToLowerInvariant()))));
            var region = Reference.IsValidNumber(number) ? Reference.GetRegionCodeForNumber(number) : info.Region;
            if (info.Type != expected || info.Region != (region == "001" ? null : region) || info.KnownRange != Reference.IsValidNumber(number))
            {
                problems.Add($"{e164}: reference {expected} in {region}, FlagApi {info.Type} in {info.Region} (known range {info.KnownRange})");
            }
        }

        output.WriteLine($"{compared} numbers compared");
        Assert.True(compared >= 15_000, $"Only {compared} numbers were compared.");
        Assert.True(problems.Count == 0, $"{problems.Count} differences, e.g.:\n" + string.Join("\n", problems.Distinct().Take(30)));
    }

    /// <summary>Why FlagApi refuses, on purpose, a spelling the reference reads as a valid number; null when it has no reason.</summary>
    private static string? DeliberateDifference(string input, PhoneNumber number, CanonicalResult ours)
    {
        if (ours.IsValid)
        {
            return null;
        }

        // The reference reads letters as keypad digits (1-800-FLOWERS) and picks a number out of surrounding text
        // (WeChat: wxid_13800138000); a value with letters in it is not a phone number to FlagApi, so nobody flags an
        // account name or a sentence as a number by accident.
        if (input.Any(char.IsLetter))
        {
            return "letters or text around the digits are refused";
        }

        // An extension (#123, ,123) reaches a desk behind the number, not the number itself: refused with that reason.
        if (ours.ErrorDetail!.Contains("extension", StringComparison.Ordinal))
        {
            return "an extension is refused";
        }

        // The reference drops punctuation it does not know (*, ;, a second +) at either end; FlagApi names it instead.
        if (ours.ErrorDetail.Contains("not part of a phone number", StringComparison.Ordinal)
            || ours.ErrorDetail.Contains("plus sign", StringComparison.Ordinal)
            || ours.ErrorDetail.Contains("control character", StringComparison.Ordinal))
        {
            return "a character that is no part of a phone number is refused";
        }

        // Inside China a landline is written with 0 before its area code. The reference reads "(202) 555-0143" as a
        // Guangzhou landline 020-2555 0143; it is far more often an American number missing its +1.
        if (ours.ErrorDetail.Contains("0 before its area code", StringComparison.Ordinal) && number.CountryCode == 86)
        {
            return "a Chinese landline without its trunk 0 is refused";
        }

        return null;
    }

    private static bool TryReference(string input, out PhoneNumber number)
    {
        try
        {
            number = Reference.Parse(input, "CN");
            return true;
        }
        catch (NumberParseException)
        {
            number = null!;
            return false;
        }
    }

    [Theory]
    [InlineData("+86 138 0013 8000", "mobile", "CN", false, true)]
    [InlineData("+86 170 1234 5678", "mobile", "CN", true, true)]
    [InlineData("+86 171 1234 5678", "mobile", "CN", true, true)]
    [InlineData("+86 162 1234 5678", "mobile", "CN", true, true)]
    [InlineData("+86 146 1234 5678", "unknown", "CN", false, false)]
    [InlineData("010-87654321", "fixed_line", "CN", false, true)]
    [InlineData("400-123-4567", "shared_cost", "CN", false, true)]
    [InlineData("800-820-1234", "toll_free", "CN", false, true)]
    [InlineData("95555", "short_service", "CN", false, true)]
    [InlineData("110", "short_service", "CN", false, true)]
    [InlineData("1069 0123 4567 89", "sms_sender", "CN", false, true)]
    [InlineData("+852 9123 4567", "mobile", "HK", false, true)]
    [InlineData("+853 6612 3456", "mobile", "MO", false, true)]
    [InlineData("+886 912 345 678", "mobile", "TW", false, true)]
    [InlineData("+95 9 212 3456", "mobile", "MM", false, true)]
    [InlineData("+44 20 7946 0958", "fixed_line", "GB", false, true)]
    [InlineData("+1 202 555 0143", "fixed_line_or_mobile", "US", false, true)]
    [InlineData("+1 416 555 0199", "fixed_line_or_mobile", "CA", false, true)]
    [InlineData("+800 1234 5678", "toll_free", null, false, true)]
    public void ALookedUpNumberSaysWhatKindOfLineItIsAndWhere(string input, string type, string? region, bool virtualOperator, bool knownRange)
    {
        var canonical = Phones.Canonicalize(input);
        Assert.True(canonical.IsValid, canonical.ToString());

        var info = Phones.Describe(canonical.Value!);

        Assert.NotNull(info);
        Assert.Equal(type, info.Type);
        Assert.Equal(region, info.Region);
        Assert.Equal(virtualOperator, info.VirtualOperator);
        Assert.Equal(knownRange, info.KnownRange);
    }

    [Fact]
    public void EveryTypeHasAWireNameAndNoneIsUsedTwice()
    {
        Assert.Equal(Enum.GetValues<PhoneNumberKind>().Length, PhoneNumberInfo.WireTypes.Distinct().Count());
        Assert.All(PhoneNumberInfo.WireTypes, name => Assert.Equal(name.ToLower(CultureInfo.InvariantCulture), name));
    }
}
