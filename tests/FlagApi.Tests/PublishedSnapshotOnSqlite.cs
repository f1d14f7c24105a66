using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests;

public sealed class PublishedSnapshotOnSqlite() : PublishedSnapshotTests(new SqliteTarget());
