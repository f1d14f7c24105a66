using System.Security.Cryptography;
using System.Text;

namespace FlagApi.Readme;

/// <summary>
/// The README's commands, run verbatim in order on a fresh copy, each answering as its text says. A command added to, moved
/// in or removed from the README without its line here fails the test, so the README cannot drift from what runs.
/// </summary>
[Trait("Speed", "Slow")]
public sealed class ReadmeRunTests
{
    /// <summary>The demo list's domain the hash-prefix example hashes, and the full hash the README says comes back.</summary>
    private static readonly string DemoDomainHash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("fake-police.example")));

    /// <summary>
    /// Every command after the first (which starts the service), in README order: a piece of its text, and what its output
    /// must contain. Every command must also exit 0 and never answer a 5xx.
    /// </summary>
    private static readonly (string Command, string[] Output)[] Expected =
    [
        // Try it
        ("value=%2B86%20138-0013-8000'   # flagged", ["\"verdict\":\"flagged\"", "\"canonical\":\"+8613800138000\""]),
        ("value=１３８００１３８０００", ["\"verdict\":\"flagged\"", "\"canonical\":\"+8613800138000\""]),
        ("lookup/url?value=http://a.evil.example/1/2.html?x=1", ["\"verdict\":\"flagged\"", "evil.example/1/"]),
        ("lookup/domain?value=www.fake-police.example", ["\"verdict\":\"flagged\"", "fake-police.example"]),
        ("value=云 客 服", ["\"verdict\":\"flagged\"", "\"canonical\":\"云客服\""]),
        ("{\"kind\":\"planet\",\"value\":\"mars\"}", ["\"code\":\"unknown_kind\"", "\"verdict\":\"flagged\""]),

        // Publishing a list
        ("keys create --role publisher", []),
        ("| tee list.json", ["\"added\":2", "\"reference\":\"2025-W22\""]),
        ("LIST=$(jq .id list.json)", []),
        ("cat > list.csv <<'EOF'", []),
        ("--data-binary @list.csv", ["\"added\":2", "\"reference\":\"2025-W23\""]),
        ("curl 'http://localhost:5080/v1/batches'", ["2025-W22", "2025-W23", "Demo"]),
        ("batches/$LIST?page=1&pageSize=100", ["速贷宝", "ccb-refund.example/claim"]),
        ("-H 'Accept: text/csv' \"http://localhost:5080/v1/batches/$LIST\"", ["kind,value,category,risk,note", "app,速贷宝,loan_or_card,high"]),
        ("batches/$LIST/retract", ["published the wrong week by mistake"]),
        ("-- import list.csv", ["Imported list #", "2 entries from 2 rows"]),

        // Keys
        ("-- keys create --role app --name \"Dialer app\"", ["The secret is shown this once", "fk_"]),
        ("keys list", ["Shenzhen uploader", "Dialer app"]),
        ("keys revoke 2", ["Key 2 is revoked."]),

        // Community reports, and their review
        ("v1/reports' -H 'Content-Type: application/json'", ["\"status\":\"received\"", "\"canonical\":\"+8613800138001\""]),
        ("keys create --role reviewer", []),
        ("'http://localhost:5080/v1/reports'          # pending", ["+8613800138001", "\"reporters\":1"]),
        ("REPORT=$(", []),
        ("v1/reports/$REPORT/decision", ["\"decision\":\"accepted\"", "\"value\":\"+8613800138001\""]),
        ("value=%2B86%20138-0013-8001", ["\"verdict\":\"flagged\"", "community report"]),

        // Appeals
        ("| tee appeal.json", ["\"trackingCode\":\"AP-", "\"accessToken\":", "\"status\":\"submitted\""]),
        ("X-Appeal-Token", ["\"status\":\"submitted\"", "Mine since 2012.", "contract.pdf"]),
        ("APPEAL=$(jq .id appeal.json)", []),
        ("v1/review/appeals'   # the queue", ["Li Wei", "owner@example.com"]),
        ("ETAG=$(", []),
        ("$APPEAL/decision", ["\"status\":\"approved\""]),
        ("value=%2B86%20138-0013-8000'   # cleared", ["\"verdict\":\"cleared\""]),

        // The feed
        ("keys create --role app --name \"Dialer app\" | tail -n 1)", []),
        ("tee snapshot.json", ["\"version\":", "\"count\":", "\"sha256\":"]),
        ("since=$(jq .version snapshot.json)", ["\"changes\":[]", "\"more\":false"]),
        ("since=0&limit=3", ["\"more\":true", "\"op\":\"add\""]),
        ("v1/feed/prefixes?maxEntries=100000", ["\"responseType\": \"full\"", "\"checksum\": \""]),

        // Hash prefixes
        ("PREFIX=$(", []),
        ("v1/hashes/$PREFIX", [DemoDomainHash]),
        ("printf '%s' 'fake-police.example' | sha256sum", [DemoDomainHash]),

        // A client generated from the OpenAPI document
        ("dotnet tool restore", []),
        ("export KIOTA_OFFLINE_ENABLED=true", []),
        ("kiota generate -l CSharp", ["Generation completed successfully"]),
        ("kiota generate -l TypeScript", ["Generation completed successfully"]),

        // Database operations
        ("-- backup backups/", ["Backed up", "integrity ok.", "Copied the reporter hash key to"]),
    ];

    [Fact]
    public async Task EveryCommandAnswersAsItsTextSays()
    {
        var commands = Readme.RunnableCommands();
        Assert.Equal("dotnet run --project src/FlagApi", commands[0].Text.Split('#')[0].Trim());
        Assert.True(commands.Count - 1 == Expected.Length,
            $"The README has {commands.Count - 1} commands after the service's and this test expects {Expected.Length}: give each README command its line in {nameof(Expected)}, in order.\n"
            + string.Join("\n", commands.Skip(1).Select(c => c.ToString())));
        for (var i = 0; i < Expected.Length; i++)
        {
            Assert.True(commands[i + 1].Text.Contains(Expected[i].Command, StringComparison.Ordinal),
                $"Command {i + 1} after the service's is not the one expected here ({Expected[i].Command}): {commands[i + 1]}");
        }

        await using var run = await ReadmeRun.StartAsync(Readme.Repository, commands);
        var failures = new List<string>();
        for (var i = 0; i < Expected.Length; i++)
        {
            var result = run.Results[i];
            var missing = Expected[i].Output.Where(o => !result.Output.Contains(o, StringComparison.Ordinal)).ToList();
            if (result.ExitCode != 0 || missing.Count > 0 || result.Output.Contains("\"status\":5", StringComparison.Ordinal))
            {
                failures.Add($"{result.Command}\n  exit {result.ExitCode}; missing {string.Join(", ", missing.Select(m => $"'{m}'"))}\n  printed: {Shorten(result.Output)}");
            }
        }

        var transcript = Path.Combine(Readme.Repository, "artifacts", "readme-run.log");
        Directory.CreateDirectory(Path.GetDirectoryName(transcript)!);
        await File.WriteAllTextAsync(transcript, run.Transcript);
        Assert.True(failures.Count == 0, $"{failures.Count} README commands did not answer as the README says (the whole run: {transcript}):\n\n{string.Join("\n\n", failures)}");
        run.DeleteCopy();
    }

    private static string Shorten(string output) => output.Length <= 1500 ? output : output[..1500] + $"… ({output.Length} characters)";
}
