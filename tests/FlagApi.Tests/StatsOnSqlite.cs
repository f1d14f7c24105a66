using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests;

public sealed class StatsOnSqlite() : StatsTests(new SqliteTarget());
