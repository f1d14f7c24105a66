namespace FlagApi.Readme;

/// <summary>How the README is read into blocks and commands, and that every shell block either runs or says why not.</summary>
public sealed class ReadmeDocumentTests
{
    [Fact]
    public void CommandsFollowTheShellsLineRules()
    {
        const string Markdown = """
            Text.

            ```sh
            # a comment line is no command
            curl 'http://localhost:5080/a?x=1'   # a trailing comment, and a quote in it: '
            curl -X POST http://localhost:5080/b \
              -d '{"a": 1}'
            curl -d '{
              "multi": "line"}' http://localhost:5080/c
            cat > f.csv <<'EOF'
            kind,value
            # not a comment: part of the file
            EOF
            echo "a # b" done
            ```
            """;

        var block = Assert.Single(ReadmeDocument.Blocks(Markdown));
        Assert.True(block.IsShell);
        Assert.Null(block.NotRunBecause);
        var commands = ReadmeDocument.Commands(block);
        Assert.Equal(
            [
                "curl 'http://localhost:5080/a?x=1'   # a trailing comment, and a quote in it: '",
                "curl -X POST http://localhost:5080/b \\\n  -d '{\"a\": 1}'",
                "curl -d '{\n  \"multi\": \"line\"}' http://localhost:5080/c",
                "cat > f.csv <<'EOF'\nkind,value\n# not a comment: part of the file\nEOF",
                "echo \"a # b\" done",
            ],
            commands.Select(c => c.Text));
        Assert.Equal([5, 6, 8, 10, 14], commands.Select(c => c.Line));
    }

    [Fact]
    public void ABlockMarkedNotRunSaysWhy()
    {
        const string Markdown = """
            <!-- not run by tests/FlagApi.Readme: needs a Docker engine -->
            ```sh
            docker build .
            ```

            ```json
            {"not": "a command"}
            ```
            """;

        var blocks = ReadmeDocument.Blocks(Markdown);
        Assert.Equal("needs a Docker engine", blocks[0].NotRunBecause);
        Assert.False(blocks[1].IsShell);
    }

    [Fact]
    public void ACommandThatNeverEndsIsAnError()
    {
        var block = Assert.Single(ReadmeDocument.Blocks("```sh\ncurl -d '{\"open\": \n```\n"));
        Assert.Throws<FormatException>(() => ReadmeDocument.Commands(block));
    }

    [Fact]
    public void EveryShellBlockOfTheReadmeRunsOrSaysWhyNot()
    {
        var blocks = ReadmeDocument.Blocks(Readme.Text);
        Assert.All(blocks.Where(b => b.Language.Length == 0), b => Assert.Fail($"README line {b.Line}: a code block without a language; name it (sh, json, csharp, …)."));
        Assert.All(blocks.Where(b => b.IsShell && b.NotRunBecause is not null), b => Assert.False(string.IsNullOrWhiteSpace(b.NotRunBecause)));
        Assert.True(blocks.Count(b => b.IsShell && b.NotRunBecause is null) >= 10);
    }
}
