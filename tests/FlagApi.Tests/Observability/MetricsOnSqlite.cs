using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests.Observability;

public sealed class MetricsOnSqlite() : MetricsTests(new SqliteTarget());
