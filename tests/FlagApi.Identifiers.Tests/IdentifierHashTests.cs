using FlagApi.Identifiers;

namespace FlagApi.Identifiers.Tests;

public class IdentifierHashTests
{
    [Theory]
    [InlineData("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")]
    [InlineData("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")]
    public void Sha256IsLowercaseHexOfUtf8(string expression, string expected)
    {
        Assert.Equal(expected, IdentifierHash.Sha256Hex(expression));
    }

    [Fact]
    public void HashOfNonAsciiUsesUtf8Bytes()
    {
        // "云" is E4 BA 91 in UTF-8.
        var expected = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(new byte[] { 0xE4, 0xBA, 0x91 }));
        Assert.Equal(expected, IdentifierHash.Sha256Hex("云"));
    }

    [Fact]
    public void PrefixIsTheFirstFiveHexDigits()
    {
        Assert.Equal("ba781", IdentifierHash.Prefix("abc"));
    }

    [Fact]
    public void LongExpressionsHashLikeShortOnes()
    {
        var text = new string('x', 5000);
        var expected = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)));
        Assert.Equal(expected, IdentifierHash.Sha256Hex(text));
    }
}
