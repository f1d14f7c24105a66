using System.Text;
using FlagApi.Identifiers;

namespace FlagApi.Identifiers.Tests;

public class PhonesTests
{
    private const string ChinaMobile = "+8613800138000";
    private const string BeijingLandline = "+861087654321";

    public static TheoryData<string, string> ChineseSpellings => new()
    {
        // Mobile numbers: 1[3-9] and 9 more digits.
        { "13800138000", ChinaMobile },
        { "138 0013 8000", ChinaMobile },
        { "138-0013-8000", ChinaMobile },
        { "138.0013.8000", ChinaMobile },
        { "138/0013/8000", ChinaMobile },
        { "(138) 0013 8000", ChinaMobile },
        { "138 0013 8000.", ChinaMobile },
        { "  13800138000  ", ChinaMobile },
        { "\t13800138000\r\n", ChinaMobile },
        { "+8613800138000", ChinaMobile },
        { "+86 138-0013-8000", ChinaMobile },
        { "+86 138 0013 8000", ChinaMobile },
        { "+86-138-0013-8000", ChinaMobile },
        { "+86(138)00138000", ChinaMobile },
        { "(+86) 138 0013 8000", ChinaMobile },
        { "(+86)13800138000", ChinaMobile },
        { "+86 (0)138 0013 8000", ChinaMobile },
        { "+86 0138 0013 8000", ChinaMobile },
        { "0086 13800138000", ChinaMobile },
        { "0086-138-0013-8000", ChinaMobile },
        { "00 86 138 0013 8000", ChinaMobile },
        { "0086 (0)138 0013 8000", ChinaMobile },
        { "8613800138000", ChinaMobile },
        { "86 138 0013 8000", ChinaMobile },
        { "86-13800138000", ChinaMobile },
        { "013800138000", ChinaMobile },
        { "tel:+86-138-0013-8000", ChinaMobile },
        { "tel:13800138000", ChinaMobile },
        { "TEL:+8613800138000", ChinaMobile },
        { "tel: +86 138 0013 8000", ChinaMobile },
        { "１３８００１３８０００", ChinaMobile },
        { "＋８６１３８００１３８０００", ChinaMobile },
        { "＋８６　１３８　００１３　８０００", ChinaMobile },
        { "１３８－００１３－８０００", ChinaMobile },
        { "１３８．００１３．８０００", ChinaMobile },
        { "１３８／００１３／８０００", ChinaMobile },
        { "（１３８）００１３８０００", ChinaMobile },
        { "﹢86 138 0013 8000", ChinaMobile },
        { "138０0138000", ChinaMobile },
        { "138\u00A00013\u00A08000", ChinaMobile },
        { "138\u30000013\u30008000", ChinaMobile },
        { "138\u202F0013\u202F8000", ChinaMobile },
        { "138\u20100013\u20118000", ChinaMobile },
        { "138\u20130013\u20148000", ChinaMobile },
        { "138\u22120013\u22128000", ChinaMobile },
        { "138\u200B0013\u200B8000", ChinaMobile },
        { "\u202D13800138000\u202C", ChinaMobile },
        { "\u200E+86 138 0013 8000", ChinaMobile },
        { "\uFEFF13800138000", ChinaMobile },
        { "\u0661\u0663\u0668\u0660\u0660\u0661\u0663\u0668\u0660\u0660\u0660", ChinaMobile },
        { "\u0967\u0969\u096E\u0966\u0966\u0967\u0969\u096E\u0966\u0966\u0966", ChinaMobile },
        { "\U0001D7CF\U0001D7D1\U0001D7D6\U0001D7CE\U0001D7CE\U0001D7CF\U0001D7D1\U0001D7D6\U0001D7CE\U0001D7CE\U0001D7CE", ChinaMobile },
        { "14712345678", "+8614712345678" },
        { "15012345678", "+8615012345678" },
        { "16612345678", "+8616612345678" },
        { "17012345678", "+8617012345678" },
        { "18612345678", "+8618612345678" },
        { "19912345678", "+8619912345678" },
        { "+86 166 1234 5678", "+8616612345678" },

        // Landlines with a two-digit area code (010 Beijing, 020–029) and 8 local digits.
        { "(010) 8765-4321", BeijingLandline },
        { "010-87654321", BeijingLandline },
        { "010 8765 4321", BeijingLandline },
        { "01087654321", BeijingLandline },
        { "+86 10 8765 4321", BeijingLandline },
        { "+86 (0)10 8765 4321", BeijingLandline },
        { "+86 010 8765 4321", BeijingLandline },
        { "+86-10-87654321", BeijingLandline },
        { "0086 10 87654321", BeijingLandline },
        { "0086 (0)10 8765 4321", BeijingLandline },
        { "（０１０）８７６５－４３２１", BeijingLandline },
        { "tel:+86-10-8765-4321", BeijingLandline },
        { "010\u30008765\u30004321", BeijingLandline },
        { "020-87654321", "+862087654321" },
        { "021-6123 4567", "+862161234567" },
        { "022 2345 6789", "+862223456789" },
        { "023-6543 2100", "+862365432100" },
        { "024 2233 4455", "+862422334455" },
        { "025-8432 1234", "+862584321234" },
        { "027-8765 4321", "+862787654321" },
        { "028-8555 1234", "+862885551234" },
        { "029 8765 4321", "+862987654321" },
        { "+86 21 6123 4567", "+862161234567" },
        { "86 10 8765 4321", BeijingLandline },
        { "861087654321", BeijingLandline },
        { "010-07654321", "+861007654321" },

        // IP-dial prefixes (17951, 17911, 12593…) dialled before a mobile number, or before 0 and an area code.
        { "17951 13800138000", ChinaMobile },
        { "12593-138-0013-8000", ChinaMobile },
        { "17951 0755 1234 5678", "+8675512345678" },
        { "12593 010 8765 4321", BeijingLandline },

        // A city's own service number with its area code: 95xxx and 96xxx numbers of one city.
        { "0755-96123", "+8675596123" },
        { "021-962288", "+8621962288" },

        // SMS sender numbers: 106 and 5 to 17 more digits, the source of most fraud SMS.
        { "1069 0123 4567 89", "+8610690123456789" },
        { "106901234567", "+86106901234567" },
        { "10690123", "+8610690123" },
        { "106 9012 3456 7890 1234 5", "+8610690123456789012345" },
        { "+86 1069 0123 4567 89", "+8610690123456789" },

        // Mobile ranges newer than the reference's data (146, 148, 149 data SIMs) are possible numbers and pass.
        { "146 1234 5678", "+8614612345678" },
        { "+86 149 1234 5678", "+8614912345678" },

        // Landlines with a three-digit area code (03xx–09xx) and 7 or 8 local digits.
        { "0755-12345678", "+8675512345678" },
        { "0086-755-12345678", "+8675512345678" },
        { "+86 755 1234 5678", "+8675512345678" },
        { "+86 (0)755 1234 5678", "+8675512345678" },
        { "(0755) 8888-1234", "+8675588881234" },
        { "0571-8765 4321", "+8657187654321" },
        { "0951-5012345", "+869515012345" },
        { "0898-6688 1234", "+8689866881234" },
        { "0311-8765 4321", "+8631187654321" },
        { "0431 8888 1234", "+8643188881234" },
        { "0991-4567890", "+869914567890" },
        { "+86 991 456 7890", "+869914567890" },

        // Nationwide 400 and 800 numbers: the prefix and 7 digits.
        { "400-123-4567", "+864001234567" },
        { "4001234567", "+864001234567" },
        { "400 123 4567", "+864001234567" },
        { "400.123.4567", "+864001234567" },
        { "+86 400 123 4567", "+864001234567" },
        { "0400-123-4567", "+864001234567" },
        { "86 400 123 4567", "+864001234567" },
        { "+86 400-123-4567", "+864001234567" },
        { "0086 4001234567", "+864001234567" },
        { "４００－１２３－４５６７", "+864001234567" },
        { "800-820-1234", "+868008201234" },
        { "8008201234", "+868008201234" },
        { "800 820 1234", "+868008201234" },
        { "+86 800 820 1234", "+868008201234" },

        // Short service numbers: +86 and the digits.
        { "95555", "+8695555" },
        { "95588", "+8695588" },
        { "95 588", "+8695588" },
        { "95105", "+8695105" },
        { "951888", "+86951888" },
        { "96110", "+8696110" },
        { "961234", "+86961234" },
        { "10086", "+8610086" },
        { "10010", "+8610010" },
        { "10000", "+8610000" },
        { "10099", "+8610099" },
        { "10105858", "+8610105858" },
        { "110", "+86110" },
        { "112", "+86112" },
        { "114", "+86114" },
        { "119", "+86119" },
        { "120", "+86120" },
        { "122", "+86122" },
        { "999", "+86999" },
        { "12306", "+8612306" },
        { "12315", "+8612315" },
        { "12321", "+8612321" },
        { "12345", "+8612345" },
        { "12381", "+8612381" },
        { "12110", "+8612110" },
        { "+86 95555", "+8695555" },
        { "+8610086", "+8610086" },
        { "0086 110", "+86110" },
        { "９５５５５", "+8695555" },
        { "tel:10086", "+8610086" },

        // Other countries, written with + or 00 while the default region is CN.
        { "+1 (202) 555-0143", "+12025550143" },
        { "+1-202-555-0143", "+12025550143" },
        { "+1 202.555.0143", "+12025550143" },
        { "001 202 555 0143", "+12025550143" },
        { "+12025550143", "+12025550143" },
        { "+44 20 7946 0958", "+442079460958" },
        { "+44 (0)20 7946 0958", "+442079460958" },
        { "+44 020 7946 0958", "+442079460958" },
        { "+33 0 1 23 45 67 89", "+33123456789" },
        { "+254 0724 040680", "+254724040680" },
        { "+254 724 040680", "+254724040680" },
        { "+234 0803 123 4567", "+2348031234567" },
        { "+27 082 123 4567", "+27821234567" },
        { "+90 0532 123 4567", "+905321234567" },
        { "0044 20 7946 0958", "+442079460958" },
        { "+44 7700 900123", "+447700900123" },
        { "00852 2345 6789", "+85223456789" },
        { "+852 2345 6789", "+85223456789" },
        { "+852-9123-4567", "+85291234567" },
        { "+853 2888 1234", "+85328881234" },
        { "+886 2 2345 6789", "+886223456789" },
        { "+886 (0)2 2345 6789", "+886223456789" },
        { "+886 912 345 678", "+886912345678" },
        { "+65 6123 4567", "+6561234567" },
        { "+60 12-345 6789", "+60123456789" },
        { "+81 3-1234-5678", "+81312345678" },
        { "+81 90-1234-5678", "+819012345678" },
        { "+82 10-1234-5678", "+821012345678" },
        { "+66 81 234 5678", "+66812345678" },
        { "+63 917 123 4567", "+639171234567" },
        { "+84 91 234 56 78", "+84912345678" },
        { "+855 12 345 678", "+85512345678" },
        { "+95 9 123 456 789", "+959123456789" },
        { "+856 20 5512 3456", "+8562055123456" },
        { "+62 812-3456-7890", "+6281234567890" },
        { "+61 2 9876 5432", "+61298765432" },
        { "+64 21 123 4567", "+64211234567" },
        { "+49 30 123456", "+4930123456" },
        { "+33 1 23 45 67 89", "+33123456789" },
        { "+39 06 6982 1234", "+390669821234" },
        { "+34 612 34 56 78", "+34612345678" },
        { "+7 495 123-45-67", "+74951234567" },
        { "+7 701 123 4567", "+77011234567" },
        { "+91 98765 43210", "+919876543210" },
        { "+971 50 123 4567", "+971501234567" },
        { "+234 803 123 4567", "+2348031234567" },
        { "+20 10 1234 5678", "+201012345678" },
        { "+380 44 123 4567", "+380441234567" },
        { "+998 90 123 45 67", "+998901234567" },
        { "+683 4002", "+6834002" },
        { "+882 1234 5678", "+88212345678" },
        { "＋４４　２０　７９４６　０９５８", "+442079460958" },
    };

    public static TheoryData<string, string, string> SpellingsInOtherRegions => new()
    {
        { "(202) 555-0143", "US", "+12025550143" },
        { "202-555-0143", "US", "+12025550143" },
        { "1 202 555 0143", "US", "+12025550143" },
        { "1-202-555-0143", "US", "+12025550143" },
        { "(416) 555-0199", "CA", "+14165550199" },
        { "011 44 20 7946 0958", "US", "+442079460958" },
        { "011 86 138 0013 8000", "US", "+8613800138000" },
        { "020 7946 0958", "GB", "+442079460958" },
        { "(0)20 7946 0958", "GB", "+442079460958" },
        { "07700 900123", "GB", "+447700900123" },
        { "2345 6789", "HK", "+85223456789" },
        { "9123 4567", "HK", "+85291234567" },
        { "2888 1234", "MO", "+85328881234" },
        { "02 2345 6789", "TW", "+886223456789" },
        { "0912 345 678", "TW", "+886912345678" },
        { "6123 4567", "SG", "+6561234567" },
        { "012-345 6789", "MY", "+60123456789" },
        { "03-1234-5678", "JP", "+81312345678" },
        { "090-1234-5678", "JP", "+819012345678" },
        { "010 86 138 0013 8000", "JP", "+8613800138000" },
        { "010-1234-5678", "KR", "+821012345678" },
        { "081 234 5678", "TH", "+66812345678" },
        { "0917 123 4567", "PH", "+639171234567" },
        { "091 234 56 78", "VN", "+84912345678" },
        { "012 345 678", "KH", "+85512345678" },
        { "09 123 456 789", "MM", "+959123456789" },
        { "020 5512 3456", "LA", "+8562055123456" },
        { "0812-3456-7890", "ID", "+6281234567890" },
        { "(02) 9876 5432", "AU", "+61298765432" },
        { "0011 86 138 0013 8000", "AU", "+8613800138000" },
        { "021 123 4567", "NZ", "+64211234567" },
        { "030 123456", "DE", "+4930123456" },
        { "01 23 45 67 89", "FR", "+33123456789" },
        { "06 6982 1234", "IT", "+390669821234" },
        { "612 34 56 78", "ES", "+34612345678" },
        { "8 495 123-45-67", "RU", "+74951234567" },
        { "8 800 123-45-67", "RU", "+78001234567" },
        { "800 123 4567", "RU", "+78001234567" },
        { "098765 43210", "IN", "+919876543210" },
        { "050 123 4567", "AE", "+971501234567" },
        { "+86 138 0013 8000", "US", ChinaMobile },
        { "0086 13800138000", "GB", ChinaMobile },
        { "13800138000", "cn", ChinaMobile },
        { "13800138000", " CN ", ChinaMobile },
        { "+8613800138000", "XX", ChinaMobile },
        { "+44 20 7946 0958", "", "+442079460958" },
    };

    public static TheoryData<string, string> ChineseRejections => new()
    {
        { "", "no digits" },
        { "   ", "no digits" },
        { "---", "no digits" },
        { "()", "no digits" },
        { "tel:", "no digits" },
        { "+", "no digits" },
        { "138abc00138", "letter" },
        { "abc", "letter" },
        { "1-800-FLOWERS", "letter" },
        { "电话13800138000", "letter" },
        { "一三八零零一三八零零零", "letter" },
        { "13800138000 ext 123", "extension" },
        { "13800138000 EXT.123", "extension" },
        { "13800138000x123", "extension" },
        { "010-87654321转123", "extension" },
        { "010-87654321 分机 123", "extension" },
        { "010-87654321#123", "extension" },
        { "010-87654321,123", "extension" },
        { "tel:+86-138-0013-8000;ext=12", "extension" },
        { "tel:13800138000;phone-context=example.com", "not part of a phone number" },
        { "138\t0013\t8000", "control character" },
        { "138\u00000013 8000", "control character" },
        { "138\u00070013 8000", "control character" },
        { "138\u00850013 8000", "control character" },
        { "138_0013_8000", "not part of a phone number" },
        { "138*0013*8000", "not part of a phone number" },
        { "\u2460\u2462\u2467\u24EA\u24EA", "not part of a phone number" },
        { "\u00B9\u00B3\u2078", "not part of a phone number" },
        { "\uD80013800138000", "not part of a phone number" },
        { "13800138000\uDC00", "not part of a phone number" },
        { "\U0001F600 13800138000", "not part of a phone number" },
        { "1\uFE0F\u20E33800138000", "not part of a phone number" },
        { "138\u0660\u0660138000", "scripts" },
        { "１３８\u0660\u0660１３８０００", "scripts" },
        { "12800138000", "no chinese number begins 012" },
        { "11800138000", "not a mobile prefix" },
        { "+86 12800138000", "not a mobile prefix" },
        { "1380013800", "11 digits" },
        { "138001380001", "11 digits" },
        { "+86 1380013800", "11 digits" },
        { "+86 138 0013 80001", "11 digits" },
        { "+86 138 0013 8000 138 0013 8000", "at most 15" },
        { "13800138000 / 13900139000", "at most 15" },
        { "138001380000000000000000000000000000000000", "more than 32 digits" },
        { "00000000000", "zeros" },
        { "0", "zeros" },
        { "+000", "zeros" },
        { "000 000 000", "zeros" },
        { "++8613800138000", "more than one plus" },
        { "+86+13800138000", "more than one plus" },
        { "86+13800138000", "start of the number" },
        { "138+00138000", "start of the number" },
        { "56781234", "not a mobile prefix, an area code" },
        { "5678 1234", "area code" },
        { "5678123", "area code" },
        { "+86 56781234", "area code" },
        { "1087654321", "0 before its area code" },
        { "2087654321", "0 before its area code" },
        { "75512345678", "0 before its area code" },
        { "026-87654321", "begins 026" },
        { "+86 26 8765 4321", "026" },
        { "010-8765432", "8 digits" },
        { "010-876543210", "8 digits" },
        { "020-8765432", "8 digits" },
        { "020-876543210", "8 digits" },
        { "0755-123456", "after the area code 0755 a landline number has 8 digits; this one has 6" },
        { "+86 755 123456", "area code 0755" },
        { "0755-123456789", "this one has 9" },
        { "1008610086", "0 before its area code" },
        { "+86 00 10 8765 4321", "at most one leading 0" },
        { "400-123-456", "beginning +86 400 has 10 digits" },
        { "400-123-45678", "10 digits" },
        { "800-820-123", "10 digits" },
        { "+86 400 123 456", "10 digits" },
        { "095555", "written without it" },
        { "0110", "written without it" },
        { "1234", "too short" },
        { "1", "too short" },
        { "12", "not a service number" },
        { "111", "too short" },
        { "113", "too short" },
        { "100861", "area code" },
        { "12345678", "not a mobile prefix" },
        { "123456", "area code" },
        { "9555", "too short" },
        { "95", "too short" },
        { "555", "too short" },
        { "+86", "no digits after the country code" },
        { "+86 0", "no digits after the country code" },
        { "+86 (0)", "no digits after the country code" },
        { "00", "zeros" },
        { "+1 202 555 0143 1", "10 digits" },
        { "+1 20 2555 014", "10 digits" },
        { "+1 202 555 014", "10 digits" },
        { "+1 202 555 01431", "10 digits" },
        { "+1 911", "10 digits" },
        { "+1 202 555 0143 12", "10 digits" },
        { "+44 20 7946 09581", "7, 9 or 10" },
        { "+852 2345 678", "has 8 digits" },
        { "+853 2888 12345", "7 or 8 digits" },
        { "+852 1234 5678", "begins 1" },
        { "+44 1234567890123456", "at most 15" },
        { "+683 123", "4 or 7" },
        { "+259 1234567", "ITU" },
        { "+28 1234567", "ITU" },
        { "+384 12345678", "ITU" },
        { "+671 1234567", "ITU" },
        { "+999 1234567", "ITU" },
        { "+0 86 138 0013 8000", "never starts with 0" },
        { "000 86 138 0013 8000", "never starts with 0" },
        { "0571-765 4321", "after the area code 0571 a landline number has 8 digits; this one has 7" },
        { "+86 571 765 4321", "area code 0571" },
        { "0340-1234567", "begins 0340" },
        { "(202) 555-0143", "0 before its area code" },
        { "+27 8241511291922", "5 to 10" },
        { "+90 5275803", "beginning +90 52 has 10 digits" },
        { "0106 9012 3456", "sms sender numbers are written without it" },
    };

    public static TheoryData<string, string, string> RejectionsInOtherRegions => new()
    {
        { "555-0143", "US", "within its area" },
        { "202-555-014", "US", "10 digits" },
        { "2345 678", "HK", "8 digits" },
        { "0234 5678", "HK", "does not start with 0" },
        { "020 79", "GB", "within its area" },
        { "13800138000", "XX", "region" },
        { "13800138000", "", "region" },
        { "13800138000", "China", "region" },
        { "0086 13800138000", "XX", "region" },
        { "011", "US", "no digits after the international prefix" },
        { "1", "US", "no digits after the trunk prefix" },
    };

    public static TheoryData<string, string> SpellingsOfDifferentNumbers => new()
    {
        { "010-87654321", "020-87654321" },
        { "13800138000", "+1 3800138000" },
        { "13800138000", "13800138001" },
        { "+86 10 8765 4321", "+86 10 8765 4322" },
        { "95555", "95588" },
        { "10086", "10010" },
        { "400-123-4567", "800-123-4567" },
        { "0755-12345678", "0755-1234567" },
        { "0571-8765 4321", "0571-765 4321" },
        { "+852 2345 6789", "+853 2345 6789" },
        { "00852 2345 6789", "0852 2345 6789" },
        { "+886 2 2345 6789", "+86 2 2345 6789" },
        { "+44 20 7946 0958", "020 7946 0958" },
        { "110", "+1 10" },
        { "12315", "+86 123 15 1" },
        { "+7 495 123 4567", "+7 495 123 4568" },
    };

    [Theory]
    [MemberData(nameof(ChineseSpellings))]
    public void SpellingsGiveTheE164Number(string input, string expected)
    {
        var result = Phones.Canonicalize(input);

        Assert.True(result.IsValid, $"{input} → {result}");
        Assert.Equal(expected, result.Value);
        Assert.Null(result.ErrorCode);
    }

    [Theory]
    [MemberData(nameof(SpellingsInOtherRegions))]
    public void NationalSpellingsFollowTheDefaultRegion(string input, string region, string expected)
    {
        var result = Phones.Canonicalize(input, region);

        Assert.True(result.IsValid, $"{input} in {region} → {result}");
        Assert.Equal(expected, result.Value);
    }

    [Theory]
    [MemberData(nameof(ChineseRejections))]
    public void ImplausibleNumbersAreRejectedWithTheReason(string input, string reason)
    {
        AssertRejected(Phones.Canonicalize(input), input, reason);
    }

    [Theory]
    [MemberData(nameof(RejectionsInOtherRegions))]
    public void ImplausibleNumbersInOtherRegionsAreRejectedWithTheReason(string input, string region, string reason)
    {
        AssertRejected(Phones.Canonicalize(input, region), input, reason);
    }

    [Theory]
    [MemberData(nameof(SpellingsOfDifferentNumbers))]
    public void DifferentNumbersNeverMeet(string one, string other)
    {
        var first = Phones.Canonicalize(one);
        var second = Phones.Canonicalize(other);

        Assert.True(first.IsValid, $"{one} → {first}");
        Assert.False(second.IsValid && second.Value == first.Value, $"{one} and {other} both gave {first.Value}");
    }

    public static TheoryData<string> CanonicalOutputs()
    {
        var outputs = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var row in ChineseSpellings)
        {
            outputs.Add(row.Data.Item2);
        }

        foreach (var row in SpellingsInOtherRegions)
        {
            outputs.Add(row.Data.Item3);
        }

        return [.. outputs];
    }

    [Theory]
    [MemberData(nameof(CanonicalOutputs))]
    public void CanonicalOutputReadAgainIsUnchangedInEveryRegion(string canonical)
    {
        foreach (var region in new[] { "CN", "US", "GB", "HK", "JP", "AU", "RU", "XX" })
        {
            Assert.Equal(canonical, Phones.Canonicalize(canonical, region).Value);
        }
    }

    [Fact]
    public void FullWidthDigitsGiveTheSameNumber()
    {
        Assert.Equal(
            Phones.Canonicalize("+86 138 0013 8000").Value,
            Phones.Canonicalize("＋８６　１３８－００１３－８０００").Value);
    }

    [Fact]
    public void EveryWayOfWritingChinaGivesTheSameNumber()
    {
        string[] spellings = ["+86 138 0013 8000", "0086 138 0013 8000", "86 138 0013 8000", "138 0013 8000", "0138 0013 8000", "+86 (0)138 0013 8000"];

        var canonical = spellings.Select(spelling => Phones.Canonicalize(spelling).Value).Distinct().ToList();

        Assert.Equal([ChinaMobile], canonical);
    }

    [Fact]
    public void ABareCountryCodeIsReadAsOneOnlyWhenTheRestIsANumber()
    {
        Assert.Equal(ChinaMobile, Phones.Canonicalize("8613800138000").Value);
        Assert.Equal(BeijingLandline, Phones.Canonicalize("861087654321").Value);
        Assert.Equal("+864001234567", Phones.Canonicalize("864001234567").Value);
    }

    [Fact]
    public void TheConfiguredRegionReachesThePhoneRulesThroughTheEntryPoint()
    {
        var hongKong = new IdentifierOptions { DefaultPhoneRegion = "HK" };

        Assert.Equal("+85223456789", Identifier.Canonicalize(IdentifierKind.Phone, "2345 6789", hongKong).Value);
        Assert.Equal(ChinaMobile, Identifier.Canonicalize(IdentifierKind.Phone, "13800138000").Value);
    }

    [Fact]
    public void HugeInputIsRejectedWithoutThrowing()
    {
        var separators = new string('-', 1_000_000) + "13800138000";
        var digits = new string('1', 1_000_000);

        Assert.Equal(ChinaMobile, Phones.Canonicalize(separators).Value);
        Assert.Equal("invalid_phone", Phones.Canonicalize(digits).ErrorCode);
    }

    [Fact]
    public void RandomNastyStringsNeverThrowAndGiveE164OrAReason()
    {
        string[] pieces =
        [
            "0", "1", "3", "8", "9", "86", "00", "138", "0013", "8000", "10", "400", "95555", "+", "+86", "+1", "(0)",
            "０", "１", "８", "＋", "（", "）", "－", "(", ")", "-", ".", "/", " ", "\u00A0", "\u3000", "\u202F",
            "\t", "\n", "\0", "\u007F", "\u0085", "\u200B", "\u200E", "\u202E", "\uFEFF", "\u2013", "\u2212",
            "a", "x", "ext", "tel:", "TEL:", ";", "#", ",", "*", "转", "分机", "电", "\u0660", "\u0663", "\u0967",
            "\uD800", "\uDC00", "\U0001D7CF", "\U0001F600", "\uFE0F", "\u20E3", "\u2460", "\u00B9", "\uFFFD", "%", "\\",
        ];
        var seeds = ChineseSpellings.Select(row => row.Data.Item1).ToArray();
        var random = new Random(20190826);
        var valid = 0;

        for (var iteration = 0; iteration < 10_000; iteration++)
        {
            // Half the strings are pieces at random; half are real spellings with pieces inserted and
            // characters cut out (which also splits surrogate pairs), so both sides of every rule are hit.
            var text = new StringBuilder();
            if (iteration % 2 == 0)
            {
                var count = random.Next(0, 14);
                for (var i = 0; i < count; i++)
                {
                    text.Append(pieces[random.Next(pieces.Length)]);
                }
            }
            else
            {
                text.Append(seeds[random.Next(seeds.Length)]);
                var edits = random.Next(0, 3);
                for (var i = 0; i < edits; i++)
                {
                    var at = random.Next(text.Length + 1);
                    if (random.Next(2) == 0 || at == text.Length)
                    {
                        text.Insert(at, pieces[random.Next(pieces.Length)]);
                    }
                    else
                    {
                        text.Remove(at, 1);
                    }
                }
            }

            var input = text.ToString();
            var region = iteration % 5 == 0 ? "US" : "CN";
            var result = Phones.Canonicalize(input, region);

            if (result.IsValid)
            {
                valid++;
                AssertE164(result.Value!);
                Assert.Equal(result.Value, Phones.Canonicalize(result.Value!, region).Value);
                Assert.NotNull(Phones.Describe(result.Value!));
            }
            else
            {
                Assert.Equal("invalid_phone", result.ErrorCode);
                AssertSentence(result.ErrorDetail);
            }
        }

        // The pieces are chosen so that some strings are numbers; a run that accepts nothing tests little.
        Assert.True(valid is >= 100 and <= 9_900, $"{valid} of 10,000 strings were accepted");
    }

    private static void AssertRejected(CanonicalResult result, string input, string reason)
    {
        Assert.False(result.IsValid, $"{input} → {result.Value}");
        Assert.Equal("invalid_phone", result.ErrorCode);
        AssertSentence(result.ErrorDetail);
        Assert.Contains(reason, result.ErrorDetail, StringComparison.OrdinalIgnoreCase);

        // docs/product.md: logs never hold a full phone number, and problem details end up in logs.
        var digits = new string(input.Where(char.IsAsciiDigit).ToArray());
        if (digits.Length >= 7)
        {
            Assert.DoesNotContain(digits, result.ErrorDetail, StringComparison.Ordinal);
        }
    }

    private static void AssertSentence(string? detail)
    {
        Assert.False(string.IsNullOrWhiteSpace(detail));
        Assert.True(char.IsUpper(detail[0]) || detail[0] == '+', detail);
        Assert.EndsWith(".", detail, StringComparison.Ordinal);
    }

    private static void AssertE164(string value)
    {
        Assert.StartsWith("+", value, StringComparison.Ordinal);
        // E.164's 15 digits, but for China's SMS sender numbers: +86, 106 and up to 17 more digits.
        Assert.InRange(value.Length - 1, 5, value.StartsWith("+86106", StringComparison.Ordinal) ? 22 : 15);
        Assert.InRange(value[1], '1', '9');
        Assert.All(value[1..], digit => Assert.True(char.IsAsciiDigit(digit), value));
    }
}
