using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests.Observability;

public sealed class TracingOnSqlite() : TracingTests(new SqliteTarget());
