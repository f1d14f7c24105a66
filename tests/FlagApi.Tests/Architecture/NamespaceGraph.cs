using System.Collections.Concurrent;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using FlagApi.Tests.Deployment;

namespace FlagApi.Tests.Architecture;

/// <summary>
/// Which namespace of the service's source uses which, read by the C# compiler's own binding (not by <c>using</c> lines, which
/// miss a sibling namespace named without one, <c>Demo.DemoOptions</c>, and constants the compiler copies into the caller).
/// </summary>
internal sealed class NamespaceGraph
{
    private const string Assembly = "FlagApi";

    /// <summary>Program.cs's top-level statements: the composition root, which uses every capability to build the service.</summary>
    public const string CompositionRoot = "(Program)";

    private NamespaceGraph(IReadOnlyDictionary<string, IReadOnlyDictionary<string, IReadOnlyList<string>>> uses) => Uses = uses;

    /// <summary>For each namespace, the namespaces it uses, with where (file:line and symbol) each was first seen.</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, IReadOnlyList<string>>> Uses { get; }

    public static NamespaceGraph Service { get; } = Build();

    public IEnumerable<string> UsedBy(string from) => Uses.TryGetValue(from, out var used) ? used.Keys : [];

    /// <summary>Every cycle's namespaces, one cycle per strongly connected group of more than one namespace.</summary>
    public IReadOnlyList<IReadOnlyList<string>> Cycles()
    {
        // Tarjan's strongly connected components.
        var index = new Dictionary<string, int>();
        var low = new Dictionary<string, int>();
        var stack = new Stack<string>();
        var onStack = new HashSet<string>();
        var groups = new List<IReadOnlyList<string>>();
        var next = 0;

        void Visit(string node)
        {
            index[node] = low[node] = next++;
            stack.Push(node);
            onStack.Add(node);
            foreach (var used in UsedBy(node))
            {
                if (!index.TryGetValue(used, out var seen))
                {
                    Visit(used);
                    low[node] = Math.Min(low[node], low[used]);
                }
                else if (onStack.Contains(used))
                {
                    low[node] = Math.Min(low[node], seen);
                }
            }

            if (low[node] == index[node])
            {
                var group = new List<string>();
                string member;
                do
                {
                    member = stack.Pop();
                    onStack.Remove(member);
                    group.Add(member);
                }
                while (member != node);

                if (group.Count > 1)
                {
                    groups.Add([.. group.Order(StringComparer.Ordinal)]);
                }
            }
        }

        foreach (var node in Uses.Keys.Order(StringComparer.Ordinal))
        {
            if (!index.ContainsKey(node))
            {
                Visit(node);
            }
        }

        return groups;
    }

    /// <summary>A namespace's edge list as text, for a failure message: "Data → Appeals (Data/Entities.cs:294 AppealStatus)".</summary>
    public string Describe(string from, string to) =>
        $"{from} → {to} ({string.Join("; ", Uses[from][to])})";

    private static NamespaceGraph Build()
    {
        var source = new DirectoryInfo(RepositoryFiles.PathOf("src", Assembly));
        var files = source.EnumerateFiles("*.cs", SearchOption.AllDirectories)
            .Where(f => !IsBuildOutput(source, f))
            .ToList();
        var trees = files
            .Select(f => CSharpSyntaxTree.ParseText(File.ReadAllText(f.FullName), CSharpParseOptions.Default.WithLanguageVersion(LanguageVersion.Preview), f.FullName))
            .Append(CSharpSyntaxTree.ParseText(ImplicitUsings, CSharpParseOptions.Default.WithLanguageVersion(LanguageVersion.Preview)))
            .ToList();
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Where(path => !string.Equals(Path.GetFileNameWithoutExtension(path), Assembly, StringComparison.Ordinal))
            .Select(path => MetadataReference.CreateFromFile(path));
        var compilation = CSharpCompilation.Create(
            Assembly, trees, references, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

        var uses = new ConcurrentDictionary<string, ConcurrentDictionary<string, List<string>>>();
        Parallel.ForEach(trees.Where(t => t.FilePath.Length > 0), tree =>
        {
            var model = compilation.GetSemanticModel(tree);
            var relative = Path.GetRelativePath(source.FullName, tree.FilePath);
            foreach (var name in tree.GetRoot().DescendantNodes().OfType<SimpleNameSyntax>())
            {
                if (name.Parent is QualifiedNameSyntax { Parent: UsingDirectiveSyntax or BaseNamespaceDeclarationSyntax })
                {
                    // A using line by itself uses nothing; what is named through it is counted where it is named.
                    continue;
                }

                var info = model.GetSymbolInfo(name);
                var symbol = info.Symbol ?? info.CandidateSymbols.FirstOrDefault();
                if (NamespaceOf(symbol) is not { } to)
                {
                    continue;
                }

                var from = NamespaceOf(name);
                if (from == to)
                {
                    continue;
                }

                var line = name.GetLocation().GetLineSpan().StartLinePosition.Line + 1;
                var where = uses.GetOrAdd(from, _ => new()).GetOrAdd(to, _ => []);
                lock (where)
                {
                    if (where.Count < 3)
                    {
                        where.Add($"{relative}:{line} {name.Identifier.Text}");
                    }
                }
            }
        });

        return new NamespaceGraph(uses.ToDictionary(
            p => p.Key,
            p => (IReadOnlyDictionary<string, IReadOnlyList<string>>)p.Value.ToDictionary(q => q.Key, q => (IReadOnlyList<string>)[.. q.Value.Order(StringComparer.Ordinal)])));
    }

    /// <summary>The part that names the capability: FlagApi.Data.Migrations is FlagApi.Data.</summary>
    private static string Top(string ns) => string.Join('.', ns.Split('.').Take(2));

    private static string NamespaceOf(SyntaxNode node) =>
        node.Ancestors().OfType<BaseNamespaceDeclarationSyntax>().FirstOrDefault() is { } declared ? Top(declared.Name.ToString()) : CompositionRoot;

    private static string? NamespaceOf(ISymbol? symbol)
    {
        if (symbol is null or INamespaceSymbol or ITypeParameterSymbol || symbol.ContainingAssembly?.Name != Assembly)
        {
            return null;
        }

        if (symbol is IMethodSymbol { ReducedFrom: { } extension })
        {
            symbol = extension;
        }

        var type = symbol as INamedTypeSymbol ?? symbol.ContainingType;
        while (type?.ContainingType is { } outer)
        {
            type = outer;
        }

        var ns = type?.ContainingNamespace;
        if (ns is null || type!.IsAnonymousType || type.IsTupleType || symbol is ILocalSymbol or IParameterSymbol or IRangeVariableSymbol or ILabelSymbol)
        {
            return null;
        }

        return ns.IsGlobalNamespace ? CompositionRoot : Top(ns.ToDisplayString());
    }

    private static bool IsBuildOutput(DirectoryInfo root, FileInfo file)
    {
        var relative = Path.GetRelativePath(root.FullName, file.FullName).Split(Path.DirectorySeparatorChar);
        return relative[0] is "bin" or "obj";
    }

    /// <summary>The Web SDK's implicit global usings (ImplicitUsings=enable), which the build writes to obj/.</summary>
    private const string ImplicitUsings =
        """
        global using System;
        global using System.Collections.Generic;
        global using System.IO;
        global using System.Linq;
        global using System.Net.Http;
        global using System.Net.Http.Json;
        global using System.Threading;
        global using System.Threading.Tasks;
        global using Microsoft.AspNetCore.Builder;
        global using Microsoft.AspNetCore.Hosting;
        global using Microsoft.AspNetCore.Http;
        global using Microsoft.AspNetCore.Routing;
        global using Microsoft.Extensions.Configuration;
        global using Microsoft.Extensions.DependencyInjection;
        global using Microsoft.Extensions.Hosting;
        global using Microsoft.Extensions.Logging;
        """;
}
