using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests.Observability;

public sealed class LogsOnSqlite() : LogTests(new SqliteTarget());
