using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests;

public sealed class WatchesOnSqlite() : WatchTests(new SqliteTarget());
