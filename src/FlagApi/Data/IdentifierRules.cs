using FlagApi.Identifiers;
using Microsoft.Extensions.Options;

namespace FlagApi.Data;

/// <summary>The identifier rules stored keys are brought to: each kind's rules version, and the key a stored key has under them.</summary>
/// <remarks>The service uses <see cref="BuildIdentifierRules"/>; a test can play a change of rules that this build does not have yet.</remarks>
public interface IIdentifierRules
{
    int Version(IdentifierKind kind);

    /// <summary>The key these rules give the identifier stored under <paramref name="storedKey"/>, or why they give none.</summary>
    CanonicalResult KeyOf(IdentifierKind kind, string storedKey);
}

/// <summary>This build's rules: <see cref="IdentifierRules"/> and <see cref="Identifier.Canonicalize"/>, keyed as entries are (<see cref="Matching.EntryKey"/>).</summary>
public sealed class BuildIdentifierRules(IOptions<IdentifierOptions> options) : IIdentifierRules
{
    public int Version(IdentifierKind kind) => IdentifierRules.Version(kind);

    public CanonicalResult KeyOf(IdentifierKind kind, string storedKey)
    {
        var canonical = Identifier.Canonicalize(kind, storedKey, options.Value);
        return canonical.IsValid ? CanonicalResult.Ok(Matching.EntryKey(kind, canonical.Value!)) : canonical;
    }
}

/// <summary>The rules version that made one kind's stored keys, and this build's.</summary>
public sealed record KeyRulesStatus(IdentifierKind Kind, int Stored, int Build);

/// <summary>
/// The stored identifier keys, and the rules that made them: what a start checks before serving and a migration brings
/// up to date. The entry ledger re-keys (it changes entries); the database's start and commands only ask through this.
/// </summary>
public interface IStoredKeys
{
    /// <summary>Each kind's stored rules version against this build's.</summary>
    Task<IReadOnlyList<KeyRulesStatus>> StatusAsync(CancellationToken cancellationToken = default);

    /// <summary>Re-keys every kind whose keys were made by older rules; nothing when all are current.</summary>
    Task UpgradeAsync(CancellationToken cancellationToken = default);
}
