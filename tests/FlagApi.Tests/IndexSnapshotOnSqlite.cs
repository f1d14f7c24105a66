using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests;

public sealed class IndexSnapshotOnSqlite() : IndexSnapshotTests(new SqliteTarget());
