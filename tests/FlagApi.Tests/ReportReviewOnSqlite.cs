using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests;

public sealed class ReportReviewOnSqlite() : ReportReviewTests(new SqliteTarget());
