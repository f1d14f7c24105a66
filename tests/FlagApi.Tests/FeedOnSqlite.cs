using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests;

public sealed class FeedOnSqlite() : FeedTests(new SqliteTarget());
