using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests;

public sealed class FlagNoticeOnSqlite() : FlagNoticeTests(new SqliteTarget());
