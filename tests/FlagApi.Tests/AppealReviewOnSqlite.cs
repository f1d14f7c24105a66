using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests;

public sealed class AppealReviewOnSqlite() : AppealReviewTests(new SqliteTarget());
