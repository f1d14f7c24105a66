[assembly: TestCollectionOrderer(typeof(FlagApi.Tests.Security.SuiteLogScanLast))]

namespace FlagApi.Tests.Security;

[CollectionDefinition(SuiteLogScanLast.Group, DisableParallelization = true)]
public sealed class SuiteLogScanGroup;

/// <summary>
/// The system tests' log (<c>artifacts/logs/system-tests.log</c>), scanned last: every line of the service processes
/// (kills, faults, two instances, load, the published build) and of the in-process applications on PostgreSQL.
/// </summary>
[Collection(SuiteLogScanLast.Group)]
public sealed class SystemSuiteLogScanTests : SuiteLogScan;
