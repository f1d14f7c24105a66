using FlagApi.Identifiers;

namespace FlagApi.Lookup;

/// <summary>
/// Where a lookup reads the community-report signal of what was asked. The reports capability keeps the signal and
/// registers itself as this, so that Lookup does not use Reports (Reports already uses Lookup's <see cref="ReportSignal"/>).
/// </summary>
public interface IReportSignals
{
    /// <summary>The signal of one identifier, by its match key (<see cref="Matching.EntryKey"/>).</summary>
    ReportSignal Signal(IdentifierKind kind, string key);
}
