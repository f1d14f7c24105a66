using FsCheck;
using FsCheck.Fluent;
using Microsoft.FSharp.Core;

namespace FlagApi.Identifiers.Tests;

/// <summary>
/// Runs an FsCheck property from a [Fact] with a fixed seed, so CI is repeatable; FLAGAPI_PROPERTY_SEED
/// explores another seed, and a failure names the seed that replays it.
/// </summary>
internal static class PropertyRun
{
    public const ulong DefaultSeed = 20261124;

    public static ulong Seed { get; } =
        ulong.TryParse(Environment.GetEnvironmentVariable("FLAGAPI_PROPERTY_SEED"), out var seed) ? seed : DefaultSeed;

    public static void ForAll(string name, Gen<string> generator, int tests, Action<string> property)
    {
        var config = Config.QuickThrowOnFailure
            .WithMaxTest(tests)
            .WithEndSize(200)
            .WithName(name)
            .WithReplay(FSharpOption<Replay>.Some(new Replay(new Rnd(Seed), FSharpOption<int>.None)));
        try
        {
            Check.One(config, Prop.ForAll(Arb.From(generator, Shrink), property));
        }
        catch (Exception failure) when (failure is not OutOfMemoryException)
        {
            throw new Xunit.Sdk.XunitException(
                $"{name} failed with FLAGAPI_PROPERTY_SEED={Seed} (set it to replay this run):{Environment.NewLine}{failure.Message}");
        }

        TestContext.Current.TestOutputHelper?.WriteLine($"{name}: {tests} cases passed, seed {Seed}.");
    }

    /// <summary>Shrinks toward shorter strings: halves, then single characters removed, so a counterexample is readable.</summary>
    private static IEnumerable<string> Shrink(string value)
    {
        if (value.Length == 0)
        {
            yield break;
        }

        if (value.Length > 1)
        {
            yield return value[..(value.Length / 2)];
            yield return value[(value.Length / 2)..];
        }

        for (var i = 0; i < Math.Min(value.Length, 64); i++)
        {
            yield return value.Remove(i, 1);
        }
    }
}
