using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using JobUtil.Testing;

namespace JobUtil.Tests.Packaging;

/// <summary>
/// The shipped assemblies are strong-named with the committed key (so .NET Framework hosts that require strong names
/// load them), and their PDBs carry every source file (so a debugger steps into them without a repository URL).
/// </summary>
public class ShippedAssemblyTests
{
    /// <summary>The token of the public key in JobUtil.snk.</summary>
    public const string PublicKeyToken = "2e01e6d08111c2cd";

    private static readonly Assembly[] Shipped = [typeof(Job).Assembly, typeof(FakeJobsApi).Assembly];

    [TestCaseSource(nameof(Shipped))]
    public void A_shipped_assembly_is_strong_named_with_the_committed_key(Assembly assembly)
    {
        var token = assembly.GetName().GetPublicKeyToken();

        Assert.That(token, Is.Not.Null.And.Not.Empty);
        Assert.That(Convert.ToHexString(token!).ToLowerInvariant(), Is.EqualTo(PublicKeyToken));
    }

    [TestCaseSource(nameof(Shipped))]
    public void A_shipped_assemblys_pdb_embeds_every_source_file(Assembly assembly)
    {
        var (documents, embedded) = EmbeddedSources(Path.ChangeExtension(assembly.Location, ".pdb"));

        Assert.That(documents, Is.GreaterThan(5));
        Assert.That(embedded, Is.EqualTo(documents), "every document of the PDB has its source embedded");
    }

    /// <summary>How many documents a portable PDB lists, and how many of them carry their source.</summary>
    public static (int Documents, int Embedded) EmbeddedSources(string pdbPath)
    {
        var embeddedSource = new Guid("0E8A571B-6926-466E-B4AD-8AB04611F5FE");
        using var stream = File.OpenRead(pdbPath);
        using var provider = MetadataReaderProvider.FromPortablePdbStream(stream);
        var reader = provider.GetMetadataReader();
        var embedded = reader.CustomDebugInformation
            .Select(reader.GetCustomDebugInformation)
            .Count(info => info.Parent.Kind == HandleKind.Document && reader.GetGuid(info.Kind) == embeddedSource);
        return (reader.Documents.Count, embedded);
    }
}
