namespace ArmVirt.Linux.Tests;

[TestClass]
public sealed class FdtReaderTests
{
    [TestMethod]
    public void ReadsNodesPropertiesAndPhandlesOfADtcBlob()
    {
        const string source = """
            /dts-v1/;
            / {
                #address-cells = <2>;
                interrupt-parent = <&gic>;
                gic: intc@8000000 {
                    compatible = "arm,cortex-a15-gic";
                    interrupt-controller;
                    reg = <0x0 0x08000000 0x0 0x10000>;
                };
                chosen { bootargs = "console=ttyAMA0"; stdout-path = "/pl011@9000000"; };
            };
            """;
        string dts = Path.GetTempFileName(), dtb = Path.GetTempFileName();
        try
        {
            File.WriteAllText(dts, source);
            BootRun dtc;
            try
            {
                dtc = LinuxBootEnvironment.Run("dtc", ["-I", "dts", "-O", "dtb", "-o", dtb, dts], TimeSpan.FromSeconds(30));
            }
            catch (System.ComponentModel.Win32Exception)
            {
                Assert.Inconclusive("dtc (Debian package device-tree-compiler) is not installed");
                return;
            }
            Assert.AreEqual(0, dtc.ExitCode, dtc.Describe());

            FdtNode root = FdtReader.Read(File.ReadAllBytes(dtb));
            CollectionAssert.AreEqual(new uint[] { 2 }, root.Cells("#address-cells"));
            FdtNode gic = root.Children.Single(n => n.Path == "/intc@8000000");
            CollectionAssert.AreEqual(new[] { "arm,cortex-a15-gic" }, gic.Strings("compatible"));
            Assert.IsEmpty(gic.Properties["interrupt-controller"]);
            CollectionAssert.AreEqual(new uint[] { 0, 0x08000000, 0, 0x10000 }, gic.Cells("reg"));
            CollectionAssert.AreEqual(gic.Cells("phandle"), root.Cells("interrupt-parent"));
            FdtNode chosen = root.DescendantsAndSelf().Single(n => n.Path == "/chosen");
            CollectionAssert.AreEqual(new[] { "console=ttyAMA0" }, chosen.Strings("bootargs"));
            Assert.IsNull(chosen.Cells("linux,initrd-start"));
        }
        finally
        {
            File.Delete(dts);
            File.Delete(dtb);
        }
    }

    [TestMethod]
    public void RejectsABlobWithoutTheMagic()
    {
        Assert.ThrowsExactly<InvalidDataException>(() => FdtReader.Read(new byte[64]));
    }
}
