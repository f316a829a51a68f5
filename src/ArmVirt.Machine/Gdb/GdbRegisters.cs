using System.Runtime.Intrinsics;
using System.Text;
using CpuCore = ArmVirt.Cpu.Cpu;

namespace ArmVirt.Machine.Gdb;

/// <summary>
/// The registers the stub shows GDB, one table row each, in GDB's numbering: the <c>org.gnu.gdb.aarch64.core</c>
/// feature (x0-x30, sp, pc, cpsr; regnums 0-33), <c>org.gnu.gdb.aarch64.fpu</c> (v0-v31, fpsr, fpcr; 34-67) and a
/// system-register feature (the current EL and the EL1/EL2 translation, exception and stage-2 registers; 68 on), which
/// QEMU calls <c>org.qemu.gdb.aarch64.sysregs</c>. The <c>g</c> packet carries the core and FP/SIMD registers.
/// </summary>
internal static class GdbRegisters
{
    /// <summary>One register: its name, width in bits, GDB type, feature and how to read and write it.</summary>
    internal sealed record Register(string Name, int Bits, string Type, string Feature, Func<CpuCore, ulong>? Get,
        Action<CpuCore, ulong>? Set, int Vector = -1);

    internal const string CoreFeature = "org.gnu.gdb.aarch64.core";
    internal const string FpuFeature = "org.gnu.gdb.aarch64.fpu";
    internal const string SysFeature = "org.qemu.gdb.aarch64.sysregs";

    /// <summary>Registers in the <c>g</c> packet (core and FP/SIMD).</summary>
    internal const int GPacketCount = 68;

    internal static readonly Register[] Table = Build();

    private static Register[] Build()
    {
        var t = new List<Register>();
        for (int i = 0; i < 31; i++)
        {
            int n = i;
            t.Add(new($"x{n}", 64, "int", CoreFeature, c => c.State.X[n], (c, v) => c.State.X[n] = v));
        }
        t.Add(new("sp", 64, "data_ptr", CoreFeature, c => c.Sp, (c, v) => c.Sp = v));
        t.Add(new("pc", 64, "code_ptr", CoreFeature, c => c.State.PC, (c, v) => c.State.PC = v));
        t.Add(new("cpsr", 32, "cpsr_flags", CoreFeature, c => c.GetSpsrFromPstate(), SetCpsr));
        for (int i = 0; i < 32; i++) t.Add(new($"v{i}", 128, "aarch64v", FpuFeature, null, null, Vector: i));
        t.Add(new("fpsr", 32, "fpsr_flags", FpuFeature, c => c.State.Fpsr, (c, v) => c.State.Fpsr = (uint)v));
        t.Add(new("fpcr", 32, "fpcr_flags", FpuFeature, c => c.State.Fpcr, (c, v) => c.State.Fpcr = (uint)v));
        // System registers as QEMU names them (the Arm ARM's names). CurrentEL is read-only, as in the architecture.
        t.Add(new("CurrentEL", 64, "uint64", SysFeature, c => (ulong)c.State.EL << 2, null));
        AddBanked(t, "SCTLR", c => c.Sys.Sctlr, 1, 2);
        AddBanked(t, "TCR", c => c.Sys.Tcr, 1, 2);
        AddBanked(t, "TTBR0", c => c.Sys.Ttbr0, 1, 2);
        AddBanked(t, "TTBR1", c => c.Sys.Ttbr1, 1);
        AddBanked(t, "MAIR", c => c.Sys.Mair, 1, 2);
        AddBanked(t, "VBAR", c => c.Sys.Vbar, 1, 2);
        AddBanked(t, "ESR", c => c.Sys.Esr, 1, 2);
        AddBanked(t, "FAR", c => c.Sys.Far, 1, 2);
        AddBanked(t, "ELR", c => c.Sys.Elr, 1, 2);
        AddBanked(t, "SPSR", c => c.Sys.Spsr, 1, 2);
        AddBanked(t, "TPIDR", c => c.Sys.Tpidr, 0, 1, 2);
        for (int el = 0; el <= 2; el++)
        {
            int e = el;
            t.Add(new($"SP_EL{e}", 64, "uint64", SysFeature, c => c.GetSpEl(e), (c, v) => c.SetSpEl(e, v)));
        }
        t.Add(new("HCR_EL2", 64, "uint64", SysFeature, c => c.Sys.Hcr, (c, v) => c.Sys.Hcr = v));
        t.Add(new("VTCR_EL2", 64, "uint64", SysFeature, c => c.Sys.Vtcr, (c, v) => c.Sys.Vtcr = v));
        t.Add(new("VTTBR_EL2", 64, "uint64", SysFeature, c => c.Sys.Vttbr, (c, v) => c.Sys.Vttbr = v));
        t.Add(new("HPFAR_EL2", 64, "uint64", SysFeature, c => c.Sys.Hpfar, (c, v) => c.Sys.Hpfar = v));
        t.Add(new("MPIDR_EL1", 64, "uint64", SysFeature, c => c.Sys.Mpidr, null));
        t.Add(new("MIDR_EL1", 64, "uint64", SysFeature, c => c.Sys.Midr, null));
        return [.. t];
    }

    private static void AddBanked(List<Register> t, string name, Func<CpuCore, ulong[]> bank, params int[] els)
    {
        foreach (int el in els)
        {
            int e = el;
            t.Add(new($"{name}_EL{e}", 64, "uint64", SysFeature, c => bank(c)[e], (c, v) => bank(c)[e] = v));
        }
    }

    // The cpsr register is PSTATE in SPSR format (GetPSRFromPSTATE): a write sets NZCV and DAIF, and the EL and SP
    // selection when they name an implemented EL (as a debugger on QEMU may switch them).
    private static void SetCpsr(CpuCore c, ulong v)
    {
        c.State.Nzcv = (uint)v & 0xF000_0000u;
        c.State.Daif = (uint)v & 0x3C0u;
        int el = (int)(v >> 2) & 3;
        int sp = (int)v & 1;
        if ((v & 0x10) == 0 && el <= c.Configuration.HighestEl && (el != 0 || sp == 0)) c.SetElAndSpSel(el, sp);
    }

    /// <summary>Appends register <paramref name="r"/> of <paramref name="cpu"/> in target byte order (little-endian hex).</summary>
    internal static void Append(StringBuilder b, CpuCore cpu, Register r)
    {
        if (r.Vector >= 0)
        {
            Vector128<byte> v = cpu.VReg(r.Vector);
            for (int i = 0; i < 16; i++) b.Append(v[i].ToString("x2"));
            return;
        }
        ulong value = r.Get!(cpu);
        for (int i = 0; i < r.Bits / 8; i++) b.Append(((byte)(value >> (8 * i))).ToString("x2"));
    }

    /// <summary>Writes register <paramref name="r"/> from <paramref name="hex"/> (little-endian); false when read-only or malformed.</summary>
    internal static bool Write(CpuCore cpu, Register r, ReadOnlySpan<char> hex)
    {
        int bytes = r.Bits / 8;
        if (hex.Length < bytes * 2) return false;
        Span<byte> data = stackalloc byte[16];
        for (int i = 0; i < bytes; i++)
            if (!byte.TryParse(hex.Slice(2 * i, 2), System.Globalization.NumberStyles.HexNumber, null, out data[i])) return false;
        if (r.Vector >= 0)
        {
            cpu.VReg(r.Vector) = Vector128.Create((ReadOnlySpan<byte>)data[..16]);
            return true;
        }
        if (r.Set == null) return false;
        ulong value = 0;
        for (int i = 0; i < bytes; i++) value |= (ulong)data[i] << (8 * i);
        r.Set(cpu, value);
        return true;
    }

    /// <summary>The target description (GDB manual, "Target Descriptions"): every feature inline in target.xml.</summary>
    internal static string TargetXml { get; } = BuildXml();

    private static string BuildXml()
    {
        var b = new StringBuilder();
        b.Append("<?xml version=\"1.0\"?><!DOCTYPE target SYSTEM \"gdb-target.dtd\"><target><architecture>aarch64</architecture>");
        string? feature = null;
        for (int i = 0; i < Table.Length; i++)
        {
            var r = Table[i];
            if (r.Feature != feature)
            {
                if (feature != null) b.Append("</feature>");
                feature = r.Feature;
                b.Append($"<feature name=\"{feature}\">");
                b.Append(feature switch
                {
                    CoreFeature => CoreTypes,
                    FpuFeature => FpuTypes,
                    _ => "",
                });
            }
            string group = r.Feature == SysFeature ? " group=\"system\"" : "";
            b.Append($"<reg name=\"{r.Name}\" bitsize=\"{r.Bits}\" type=\"{r.Type}\" regnum=\"{i}\"{group}/>");
        }
        b.Append("</feature></target>");
        return b.ToString();
    }

    // The flag and vector types of GDB's own features/aarch64-core.xml and aarch64-fpu.xml (field layouts from the Arm ARM's
    // SPSR, FPSR and FPCR).
    private const string CoreTypes =
        "<flags id=\"cpsr_flags\" size=\"4\"><field name=\"SP\" start=\"0\" end=\"0\"/><field name=\"EL\" start=\"2\" end=\"3\"/>" +
        "<field name=\"nRW\" start=\"4\" end=\"4\"/><field name=\"F\" start=\"6\" end=\"6\"/><field name=\"I\" start=\"7\" end=\"7\"/>" +
        "<field name=\"A\" start=\"8\" end=\"8\"/><field name=\"D\" start=\"9\" end=\"9\"/><field name=\"IL\" start=\"20\" end=\"20\"/>" +
        "<field name=\"SS\" start=\"21\" end=\"21\"/><field name=\"PAN\" start=\"22\" end=\"22\"/><field name=\"UAO\" start=\"23\" end=\"23\"/>" +
        "<field name=\"V\" start=\"28\" end=\"28\"/><field name=\"C\" start=\"29\" end=\"29\"/><field name=\"Z\" start=\"30\" end=\"30\"/>" +
        "<field name=\"N\" start=\"31\" end=\"31\"/></flags>";

    private const string FpuTypes =
        "<vector id=\"v2d\" type=\"ieee_double\" count=\"2\"/><vector id=\"v2u\" type=\"uint64\" count=\"2\"/><vector id=\"v2i\" type=\"int64\" count=\"2\"/>" +
        "<vector id=\"v4f\" type=\"ieee_single\" count=\"4\"/><vector id=\"v4u\" type=\"uint32\" count=\"4\"/><vector id=\"v4i\" type=\"int32\" count=\"4\"/>" +
        "<vector id=\"v8u\" type=\"uint16\" count=\"8\"/><vector id=\"v8i\" type=\"int16\" count=\"8\"/>" +
        "<vector id=\"v16u\" type=\"uint8\" count=\"16\"/><vector id=\"v16i\" type=\"int8\" count=\"16\"/>" +
        "<vector id=\"v1u\" type=\"uint128\" count=\"1\"/><vector id=\"v1i\" type=\"int128\" count=\"1\"/>" +
        "<union id=\"vnd\"><field name=\"f\" type=\"v2d\"/><field name=\"u\" type=\"v2u\"/><field name=\"s\" type=\"v2i\"/></union>" +
        "<union id=\"vns\"><field name=\"f\" type=\"v4f\"/><field name=\"u\" type=\"v4u\"/><field name=\"s\" type=\"v4i\"/></union>" +
        "<union id=\"vnh\"><field name=\"u\" type=\"v8u\"/><field name=\"s\" type=\"v8i\"/></union>" +
        "<union id=\"vnb\"><field name=\"u\" type=\"v16u\"/><field name=\"s\" type=\"v16i\"/></union>" +
        "<union id=\"vnq\"><field name=\"u\" type=\"v1u\"/><field name=\"s\" type=\"v1i\"/></union>" +
        "<union id=\"aarch64v\"><field name=\"d\" type=\"vnd\"/><field name=\"s\" type=\"vns\"/><field name=\"h\" type=\"vnh\"/>" +
        "<field name=\"b\" type=\"vnb\"/><field name=\"q\" type=\"vnq\"/></union>" +
        "<flags id=\"fpsr_flags\" size=\"4\"><field name=\"IOC\" start=\"0\" end=\"0\"/><field name=\"DZC\" start=\"1\" end=\"1\"/>" +
        "<field name=\"OFC\" start=\"2\" end=\"2\"/><field name=\"UFC\" start=\"3\" end=\"3\"/><field name=\"IXC\" start=\"4\" end=\"4\"/>" +
        "<field name=\"IDC\" start=\"7\" end=\"7\"/><field name=\"QC\" start=\"27\" end=\"27\"/><field name=\"V\" start=\"28\" end=\"28\"/>" +
        "<field name=\"C\" start=\"29\" end=\"29\"/><field name=\"Z\" start=\"30\" end=\"30\"/><field name=\"N\" start=\"31\" end=\"31\"/></flags>" +
        "<flags id=\"fpcr_flags\" size=\"4\"><field name=\"IOE\" start=\"8\" end=\"8\"/><field name=\"DZE\" start=\"9\" end=\"9\"/>" +
        "<field name=\"OFE\" start=\"10\" end=\"10\"/><field name=\"UFE\" start=\"11\" end=\"11\"/><field name=\"IXE\" start=\"12\" end=\"12\"/>" +
        "<field name=\"IDE\" start=\"15\" end=\"15\"/><field name=\"RMode\" start=\"22\" end=\"23\"/><field name=\"FZ\" start=\"24\" end=\"24\"/>" +
        "<field name=\"DN\" start=\"25\" end=\"25\"/><field name=\"AHP\" start=\"26\" end=\"26\"/></flags>";
}
