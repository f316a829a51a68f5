using ArmVirt.Mmu;

namespace ArmVirt.Cpu.Timing;

/// <summary>
/// The CPU's translation table memory, counting the descriptor reads of its walks: a timing model charges
/// <see cref="TimingModel.WalkAccessCycles"/> for each (a stage-1 walk under stage 2 reads the stage-2 descriptors of
/// each stage-1 table too, as AArch64.S1Walk does).
/// </summary>
internal sealed class DescriptorReadCounter(IPhysicalMemory memory) : IPhysicalMemory
{
    /// <summary>Descriptors read so far.</summary>
    public long Reads { get; private set; }

    public bool TryReadDescriptor(ulong pa, out ulong value)
    {
        Reads++;
        return memory.TryReadDescriptor(pa, out value);
    }

    public bool TryWriteDescriptor(ulong pa, ulong value) => memory.TryWriteDescriptor(pa, value);

    public nint HostAddress(ulong pa, ulong size) => memory.HostAddress(pa, size);
}
