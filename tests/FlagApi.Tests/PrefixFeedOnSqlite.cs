using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests;

public sealed class PrefixFeedOnSqlite() : PrefixFeedTests(new SqliteTarget());
