using FlagApi.Identifiers;

namespace FlagApi.Identifiers.Tests;

public class IdentifierRulesTests
{
    /// <summary>
    /// A stored key that the phone rules change, and the version that changes it. Rules that give it another key without
    /// raising the version would leave databases holding the old key, which lookups would no longer find.
    /// </summary>
    [Fact]
    public void ThePhoneRulesVersionRisesWithTheRulesThatDropKenyasTrunkZero()
    {
        var expected = IdentifierRules.Version(IdentifierKind.Phone) >= 2 ? "+254724040680" : "+2540724040680";

        Assert.Equal(expected, Identifier.Canonicalize(IdentifierKind.Phone, "+2540724040680").Value);
    }

    [Fact]
    public void TheHostRulesVersionRisesWithTheRulesThatReadAMappedIPv6AddressAsIPv4()
    {
        Assert.Equal(2, IdentifierRules.Version(IdentifierKind.Domain));
        Assert.Equal(2, IdentifierRules.Version(IdentifierKind.Url));
        Assert.Equal("1.2.3.4", Identifier.Canonicalize(IdentifierKind.Domain, "[::ffff:102:304]").Value);
        Assert.Equal("1.2.3.4/", Matching.EntryKey(IdentifierKind.Url, Identifier.Canonicalize(IdentifierKind.Url, "[::ffff:102:304]/").Value!));
    }

    [Fact]
    public void EveryKindHasRulesOfAVersionFromOne()
    {
        Assert.All(IdentifierKinds.All, kind => Assert.True(IdentifierRules.Version(kind) >= 1, kind.ToWire()));
    }
}
