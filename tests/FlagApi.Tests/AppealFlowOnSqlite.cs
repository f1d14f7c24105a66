using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests;

public sealed class AppealFlowOnSqlite() : AppealFlowTests(new SqliteTarget());
