using FsCheck.Fluent;
using FlagApi.Identifiers;

namespace FlagApi.Identifiers.Tests;

/// <summary>
/// Properties every canonicalizer keeps on any input, checked with FsCheck on generated hostile text
/// (fixed seed; see <see cref="PropertyRun"/>). A counterexample found here becomes a table case in the
/// kind's own tests.
/// </summary>
public class CanonicalizerPropertyTests
{
    private const int Cases = 3000;

    public static TheoryData<string> Kinds => new(IdentifierKinds.WireNames);

    private static readonly string[] Regions = ["CN", "US", "GB", "DE", "JP", "AU", "RU"];

    [Theory]
    [MemberData(nameof(Kinds))]
    public void AnyStringGivesACanonicalFormOrTheKindsInvalidCodeAndNeverThrows(string wire)
    {
        var kind = Parse(wire);
        PropertyRun.ForAll($"{wire} never throws", HostileText.For(kind), Cases, input =>
        {
            var result = Identifier.Canonicalize(kind, input);
            if (result.IsValid)
            {
                Assert.Null(result.ErrorCode);
                Assert.False(string.IsNullOrWhiteSpace(result.Value));
            }
            else
            {
                Assert.Equal(kind.InvalidCode(), result.ErrorCode);
                Assert.False(string.IsNullOrWhiteSpace(result.ErrorDetail));
            }
        });
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void CanonicalizingACanonicalValueReturnsItUnchanged(string wire)
    {
        var kind = Parse(wire);
        var accepted = 0;
        PropertyRun.ForAll($"{wire} is idempotent", HostileText.For(kind), Cases, input =>
        {
            var first = Identifier.Canonicalize(kind, input);
            if (!first.IsValid)
            {
                return;
            }

            accepted++;
            var second = Identifier.Canonicalize(kind, first.Value);
            Assert.True(second.IsValid, $"{HostileText.Show(input)} canonicalized to {HostileText.Show(first.Value!)}, which is then refused: {second.ErrorDetail}");
            Assert.Equal(first.Value, second.Value);
        });

        // Most hostile strings are refused; the property means something only if enough were accepted.
        Assert.True(accepted >= Cases / 20, $"Only {accepted} of {Cases} generated {wire} values were valid.");
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void ACanonicalValueHoldsNoControlCharacterOrBrokenUtf16(string wire)
    {
        var kind = Parse(wire);
        PropertyRun.ForAll($"{wire} output is clean text", HostileText.For(kind), Cases, input =>
        {
            var result = Identifier.Canonicalize(kind, input);
            if (!result.IsValid)
            {
                return;
            }

            var value = result.Value!;
            var broken = FirstBrokenCharacter(value);
            Assert.True(broken < 0, $"{HostileText.Show(input)} gave {HostileText.Show(value)}, with U+{(broken < 0 ? 0 : value[broken]):X4} at {broken}.");
        });
    }

    [Fact]
    public void APhoneNumbersCanonicalFormReadsAsItselfWhateverTheDefaultRegion()
    {
        PropertyRun.ForAll("phone is idempotent across regions", HostileText.For(IdentifierKind.Phone), Cases, input =>
        {
            foreach (var region in Regions)
            {
                var options = new IdentifierOptions { DefaultPhoneRegion = region };
                var first = Identifier.Canonicalize(IdentifierKind.Phone, input, options);
                if (!first.IsValid)
                {
                    continue;
                }

                foreach (var other in Regions)
                {
                    var again = Identifier.Canonicalize(IdentifierKind.Phone, first.Value, new IdentifierOptions { DefaultPhoneRegion = other });
                    Assert.True(again.IsValid && again.Value == first.Value,
                        $"{HostileText.Show(input)} in {region} is {first.Value}, which in {other} reads as {again}.");
                }
            }
        });
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void AnEntrysKeyIsAmongTheProbesOfItsOwnLookupAndHashesAreStable(string wire)
    {
        var kind = Parse(wire);
        PropertyRun.ForAll($"{wire} probes and hashes", HostileText.For(kind), Cases, input =>
        {
            var result = Identifier.Canonicalize(kind, input);
            if (!result.IsValid)
            {
                return;
            }

            var canonical = result.Value!;
            var key = Matching.EntryKey(kind, canonical);
            Assert.Equal(key, Matching.EntryKey(kind, canonical));
            var probes = Matching.Probes(kind, canonical);
            Assert.Contains(new MatchProbe(kind, key), probes);
            Assert.Equal(probes, Matching.Probes(kind, canonical));
            Assert.Equal(probes.Count, probes.Distinct().Count());

            var hash = IdentifierHash.Sha256Hex(key);
            Assert.Matches("^[0-9a-f]{64}$", hash);
            Assert.Equal(hash, IdentifierHash.Sha256Hex(key));
            Assert.Equal(hash[..IdentifierHash.PrefixLength], IdentifierHash.Prefix(key));
        });
    }

    [Fact]
    public void AUrlHasAtMostFiveHostsTimesSixPathsOfExpressionsAndEachIsTheKeyOfAUrlEntry()
    {
        PropertyRun.ForAll("url expressions", HostileText.For(IdentifierKind.Url), Cases, input =>
        {
            var result = Urls.Canonicalize(input);
            if (!result.IsValid)
            {
                return;
            }

            var canonical = result.Value!;
            var expressions = Urls.Expressions(canonical);
            Assert.Contains(Urls.Expression(canonical), expressions);
            Assert.Equal(expressions.Count, expressions.Distinct().Count());

            var hosts = expressions.Select(e => e.Split('/')[0]).Distinct().ToList();
            var paths = expressions.Select(e => e[e.IndexOf('/', StringComparison.Ordinal)..]).Distinct().ToList();
            Assert.InRange(hosts.Count, 1, 5);
            Assert.InRange(paths.Count, 1, 6);
            Assert.InRange(expressions.Count, 1, 30);

            // A list that flags one of these expressions publishes it as a URL; that URL's key must be the
            // expression itself, or the lookup that probes it would never meet the entry.
            foreach (var expression in expressions)
            {
                var published = Urls.Canonicalize("http://" + expression);
                Assert.True(published.IsValid, $"{HostileText.Show(input)} probes {HostileText.Show(expression)}, which is not a valid URL: {published.ErrorDetail}");
                Assert.Equal(expression, Matching.EntryKey(IdentifierKind.Url, published.Value!));
            }
        });
    }

    [Fact]
    public void EveryParentOfACanonicalDomainIsItselfACanonicalDomain()
    {
        PropertyRun.ForAll("domain parents", HostileText.For(IdentifierKind.Domain), Cases, input =>
        {
            var result = Domains.Canonicalize(input);
            if (!result.IsValid)
            {
                return;
            }

            foreach (var host in Domains.SelfAndParents(result.Value!))
            {
                var again = Domains.Canonicalize(host);
                Assert.True(again.IsValid && again.Value == host,
                    $"{HostileText.Show(input)} is {result.Value}, whose parent {HostileText.Show(host)} reads as {again}.");
            }
        });
    }

    [Fact]
    public void ADomainsRegistrableDomainIsAmongItsParentsAndIsNoPublicSuffix()
    {
        PropertyRun.ForAll("registrable domain", HostileText.For(IdentifierKind.Domain), Cases, input =>
        {
            var result = Domains.Canonicalize(input);
            if (!result.IsValid)
            {
                return;
            }

            // A list may flag a registrable domain, never its public suffix; a lookup under it must reach the entry.
            // Under a numeric top-level domain the registrable domain may read as an address (7.1 of a.7.1), which no
            // domain entry can be.
            var domain = result.Value!;
            var registrable = PublicSuffixes.RegistrableDomain(domain);
            if (registrable is not null && !HostNames.IsIPv4(registrable))
            {
                Assert.Contains(registrable, Domains.SelfAndParents(domain));
                Assert.False(PublicSuffixes.IsPublicSuffix(registrable), $"{domain} lies in {registrable}, a public suffix.");
            }
            else if (registrable is null)
            {
                Assert.True(PublicSuffixes.IsPublicSuffix(domain) || domain.StartsWith('[') || HostNames.IsDottedQuad(domain), $"{domain} has no registrable domain.");
            }
        });
    }

    [Fact]
    public void AUrlsHostAndTheSameHostAsADomainMeetTheSameEntries()
    {
        PropertyRun.ForAll("url host as domain", HostileText.For(IdentifierKind.Url), Cases, input =>
        {
            var url = Urls.Canonicalize(input);
            if (!url.IsValid)
            {
                return;
            }

            // A host the domain rules accept must come out the same as the URL's, or a flagged domain would
            // miss URLs on it.
            var host = Urls.Host(url.Value!);
            var domain = Domains.Canonicalize(host);
            if (domain.IsValid)
            {
                Assert.Equal(host, domain.Value);
            }
        });
    }

    private static int FirstBrokenCharacter(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            if (char.IsHighSurrogate(value[i]) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                i++;
            }
            else if (char.IsControl(value[i]) || char.IsSurrogate(value[i]))
            {
                return i;
            }
        }

        return -1;
    }

    private static IdentifierKind Parse(string wire) =>
        IdentifierKinds.TryParse(wire, out var kind) ? kind : throw new ArgumentException(wire, nameof(wire));
}
