using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests.Fuzzing;

public sealed class HostileInputRegressionOnSqlite() : HostileInputRegressionTests(new SqliteTarget());
