namespace ArmVirt.Machine;

public sealed partial class Machine
{
    /// <summary>
    /// The physical address virtual address <paramref name="va"/> translates to for CPU <paramref name="cpu"/> now, as a
    /// debugger sees it: a table walk of the CPU's current translation regime (stage 1 and, under it, stage 2) without a
    /// TLB fill, an access-flag update or an exception; null when it does not translate (or the regime's MMU is off and
    /// the address is out of range).
    /// </summary>
    public ulong? TranslateVirtual(ulong va, int cpu = 0)
    {
        var r = Cpus[cpu].DebugTranslate(va);
        return r.IsFault ? null : r.PhysicalAddress;
    }

    /// <summary>
    /// Copies guest RAM at virtual address <paramref name="va"/>, as CPU <paramref name="cpu"/> translates it now
    /// (<see cref="TranslateVirtual"/>), into <paramref name="buffer"/>: RAM only (a device register is never read, so
    /// no FIFO pops and no interrupt is acknowledged), no side effect, no exception. Returns the bytes copied, fewer
    /// than asked when a page is unmapped or not RAM.
    /// </summary>
    public int ReadVirtual(ulong va, Span<byte> buffer, int cpu = 0) => CopyRam(va, buffer, default, write: false, cpu);

    /// <summary>
    /// Writes <paramref name="data"/> to guest RAM at virtual address <paramref name="va"/> as <see cref="ReadVirtual"/>
    /// reads (RAM only; translated code on the pages written is dropped). Returns the bytes written.
    /// </summary>
    public int WriteVirtual(ulong va, ReadOnlySpan<byte> data, int cpu = 0) => CopyRam(va, default, data, write: true, cpu);

    /// <summary>Copies guest RAM at physical address <paramref name="pa"/> into <paramref name="buffer"/>; returns the bytes copied (RAM only).</summary>
    public int ReadPhysical(ulong pa, Span<byte> buffer) => CopyRam(pa, buffer, default, write: false, cpu: -1);

    /// <summary>Writes <paramref name="data"/> to guest RAM at physical address <paramref name="pa"/>; returns the bytes written (RAM only).</summary>
    public int WritePhysical(ulong pa, ReadOnlySpan<byte> data) => CopyRam(pa, default, data, write: true, cpu: -1);

    // Page by page from (or, with write, to) guest RAM at address, virtual for CPU cpu or physical (cpu -1); stops at the
    // first page that does not translate or is not RAM.
    private unsafe int CopyRam(ulong address, Span<byte> buffer, ReadOnlySpan<byte> data, bool write, int cpu)
    {
        int length = write ? data.Length : buffer.Length, done = 0;
        while (done < length)
        {
            ulong a = address + (ulong)done;
            int chunk = (int)Math.Min((ulong)(length - done), 0x1000 - (a & 0xFFF));
            ulong? pa = cpu < 0 ? a : TranslateVirtual(a, cpu);
            if (pa is not { } p || Bus.FindRam(p, (ulong)chunk) == null) break;
            var ram = new Span<byte>(Bus.RamPointer(p, (ulong)chunk), chunk);
            if (write)
            {
                data.Slice(done, chunk).CopyTo(ram);
                Bus.NotifyRamWritten(p, (ulong)chunk); // translated code on the page is dropped
            }
            else ram.CopyTo(buffer[done..]);
            done += chunk;
        }
        return done;
    }
}
