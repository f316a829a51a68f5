// A user-mode AArch64 Linux runner on ArmVirt's CPU alone (issue #21 item 5), as qemu-aarch64 runs static binaries: the
// program's segments in RAM, its stack as the kernel builds it (argv, envp, auxv), EL0 under an identity map, and the
// system calls it makes answered by an exception hook before the SVC would be taken.
//   dotnet run --project samples/UserMode -- /path/to/static-aarch64-elf [args...]
using System.Buffers.Binary;
using System.Text;
using ArmVirt.Core;
using ArmVirt.Cpu;
using ArmVirt.Cpu.Exceptions;
using ELFSharp.ELF;
using ELFSharp.ELF.Segments;

if (args.Length == 0) { Console.Error.WriteLine("usage: UserMode ELF [ARGS...]"); return 2; }
const ulong RamSize = 0x2000_0000, PageTable = RamSize - 0x1000, StackTop = PageTable; // the stack grows down below the table
using var bus = new PhysicalBus();
var ram = bus.AddRam(0, RamSize);
var cpu = new Cpu(bus, new VirtualClock()) { Engine = ExecutionEngine.Jit };
Span<byte> Mem(ulong va, int length) => ram.AsSpan(va, length); // VA = PA under the identity map below

// The program: its PT_LOAD segments at their addresses, the break after the highest one.
byte[] image = File.ReadAllBytes(args[0]);
var elf = ELFReader.Load<ulong>(args[0]);
ulong brk = 0, phdr = 0;
foreach (var s in elf.Segments.Where(s => s.Type == SegmentType.Load))
{
    s.GetFileContents().CopyTo(Mem(s.Address, (int)s.FileSize));
    brk = Math.Max(brk, (s.Address + s.Size + 0xFFF) & ~0xFFFUL);
    if (s.Offset == 0) phdr = s.Address + BinaryPrimitives.ReadUInt64LittleEndian(image.AsSpan(0x20)); // e_phoff
}
ulong mmapNext = 0x1000_0000;

// EL0 under an identity map of the first GiB (one level-1 block, Normal write-back memory), FP/SIMD, DC ZVA and CTR_EL0
// allowed at EL0 (SCTLR_EL1.DZE, UCT).
BinaryPrimitives.WriteUInt64LittleEndian(Mem(PageTable, 8), 0x0UL | 1 << 10 | 3 << 8 | 1 << 6 | 1);
cpu.Sys.Mair[1] = 0xFF;
cpu.Sys.Tcr[1] = 25 | 1UL << 8 | 1UL << 10 | 3UL << 12 | 1UL << 23 | 5UL << 32; // T0SZ 25, WB, inner shareable, EPD1, 48-bit IPS
cpu.Sys.Ttbr0[1] = PageTable;
cpu.Sys.Sctlr[1] = 1 | 1 << 2 | 1 << 12 | 1 << 14 | 1 << 15 | 1 << 16 | 1 << 18 | 1 << 26; // M, C, I, DZE, UCT, nTWI, nTWE, UCI
cpu.Sys.Cpacr = 3 << 20;

// The stack as Linux builds it: argc, argv[], NULL, envp[] (none), NULL, auxv, then the strings and AT_RANDOM's bytes.
ulong sp = StackTop;
ulong PushBytes(ReadOnlySpan<byte> b) { sp -= (ulong)b.Length; b.CopyTo(Mem(sp, b.Length)); return sp; }
var argv = args.Select(a => PushBytes(Encoding.UTF8.GetBytes(a + "\0"))).ToList();
ulong random = PushBytes(Guid.NewGuid().ToByteArray());
var auxv = new ulong[] { 3, phdr, 4, 56, 5, BinaryPrimitives.ReadUInt16LittleEndian(image.AsSpan(0x38)), 6, 0x1000,
    9, elf.EntryPoint, 16, 0, 25, random, 0, 0 }; // AT_PHDR, AT_PHENT, AT_PHNUM, AT_PAGESZ, AT_ENTRY, AT_HWCAP, AT_RANDOM, AT_NULL
var words = new List<ulong> { (ulong)argv.Count };
words.AddRange(argv);
words.AddRange([0, 0]);
words.AddRange(auxv);
sp = (sp - (ulong)words.Count * 8) & ~0xFUL;
for (int i = 0; i < words.Count; i++) BinaryPrimitives.WriteUInt64LittleEndian(Mem(sp + (ulong)i * 8, 8), words[i]);

cpu.SetElAndSpSel(0, 0);
cpu.SetXSp(31, sp);
cpu.State.PC = elf.EntryPoint;

// The system calls (arm64 numbers; x8 the call, x0-x5 its arguments, x0 the result or -errno).
var stdout = Console.OpenStandardOutput();
var files = new Dictionary<ulong, FileStream>();
int? exitCode = null;
string CString(ulong va) { int n = 0; while (Mem(va + (ulong)n, 1)[0] != 0) n++; return Encoding.UTF8.GetString(Mem(va, n)); }
long Syscall(ulong nr, ulong a0, ulong a1, ulong a2, ulong a3)
{
    switch (nr)
    {
        case 63: // read
            return files.TryGetValue(a0, out var f) ? f.Read(Mem(a1, (int)a2)) : a0 == 0 ? 0 : -9;
        case 64: // write
            if (a0 is 1 or 2) { stdout.Write(Mem(a1, (int)a2)); stdout.Flush(); return (long)a2; }
            return -9;
        case 66: // writev
            long total = 0;
            for (ulong i = 0; i < a2; i++)
                total += Syscall(64, a0, BinaryPrimitives.ReadUInt64LittleEndian(Mem(a1 + 16 * i, 8)),
                    BinaryPrimitives.ReadUInt64LittleEndian(Mem(a1 + 16 * i + 8, 8)), 0);
            return total;
        case 56: // openat (read-only)
            string path = CString(a1);
            if (!File.Exists(path)) return -2;
            ulong fd = 3;
            while (files.ContainsKey(fd)) fd++;
            files[fd] = File.OpenRead(path);
            return (long)fd;
        case 57: // close
            if (files.Remove(a0, out var closed)) closed.Dispose();
            return 0;
        case 79: case 80: // newfstatat, fstat: a regular file's size, or a character device
            var st = Mem(nr == 79 ? a2 : a1, 128);
            st.Clear();
            ulong statFd = a0;
            BinaryPrimitives.WriteUInt32LittleEndian(st[16..], files.ContainsKey(statFd) ? 0x81A4u : 0x2190u); // st_mode
            if (files.TryGetValue(statFd, out var sf)) BinaryPrimitives.WriteInt64LittleEndian(st[48..], sf.Length); // st_size
            BinaryPrimitives.WriteInt32LittleEndian(st[56..], 4096); // st_blksize
            return 0;
        case 93: case 94: exitCode = (int)a0; cpu.RequestStop(StopReason.HostRequest); return 0; // exit, exit_group
        case 214: // brk
            if (a0 >= brk && a0 < mmapNext) brk = a0;
            return (long)brk;
        case 222: // mmap (anonymous memory only)
            if ((a3 & 0x20) == 0) return -19; // not MAP_ANONYMOUS: no file mappings (ENODEV)
            ulong at = mmapNext;
            mmapNext += (a1 + 0xFFF) & ~0xFFFUL;
            Mem(at, (int)a1).Clear();
            return (long)at;
        case 78: return -2; // readlinkat
        case 29: return -25; // ioctl: not a terminal
        case 278: Random.Shared.NextBytes(Mem(a0, (int)a1)); return (long)a1; // getrandom
        case 96: case 172: case 178: return 1000; // set_tid_address, getpid, gettid
        case 174: case 175: case 176: case 177: case 226: case 215: case 261: case 167: case 134: case 135: return 0;
        default: return -38; // ENOSYS
    }
}
cpu.Hooks.AddException((c, e) =>
{
    if (e.Class != ExceptionClass.Svc64) return false;
    c.SetX(0, (ulong)Syscall(c.X(8), c.X(0), c.X(1), c.X(2), c.X(3)));
    return true;
});
cpu.Hooks.AddException((c, e) =>
{
    Console.Error.WriteLine($"UserMode: {e.Class} at {c.State.PC:x} (address {e.FaultAddress:x})");
    exitCode = 139;
    c.RequestStop(StopReason.HostRequest);
    return true;
});
while (exitCode == null) cpu.Run(100_000_000);
return exitCode.Value;
