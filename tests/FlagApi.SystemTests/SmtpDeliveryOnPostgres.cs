using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests;

public sealed class SmtpDeliveryOnPostgres(PostgresTarget target) : SmtpDeliveryTests(target), IClassFixture<PostgresTarget>;
