using ArmVirt.Core;
using ArmVirt.Cpu;
using ArmVirt.Cpu.Exceptions;

namespace ArmVirt.Differential.Tests;

/// <summary>
/// The step loop the A64 and A32/T32 runners share: steps the CPU through a batch of sequences (their start addresses,
/// then the batch's end), records each sequence's first failure (a host exception, an exception the guest took, a
/// CPU stop, a PC outside the program, or a step budget used up) and resumes at the next sequence.
/// </summary>
internal static class BatchStepper
{
    /// <param name="cpu">The CPU, its PC on the first sequence.</param>
    /// <param name="bus">Its bus (a failure names the instruction word at the failing PC).</param>
    /// <param name="starts">Each sequence's start address, ascending.</param>
    /// <param name="end">The batch's end: the run stops when the PC gets there.</param>
    /// <param name="takeException">The exception the last step took, described, or null; clears it.</param>
    /// <param name="resume">Puts the CPU at the given address in the batch's execution state after a failure.</param>
    public static Dictionary<int, string> Run(Cpu.Cpu cpu, PhysicalBus bus, IReadOnlyList<ulong> starts, ulong end,
        Func<string?> takeException, Action<ulong> resume)
    {
        var errors = new Dictionary<int, string>();
        int count = starts.Count;
        ulong budget = (ulong)count * 400 + 1000;
        int current = 0;
        while (cpu.State.PC != end)
        {
            while (current + 1 < count && cpu.State.PC >= starts[current + 1] && cpu.State.PC < end) current++;
            if (budget-- == 0)
            {
                errors[current] = $"did not reach the end of the batch: still running at PC 0x{cpu.State.PC:x}";
                break;
            }
            ulong pc = cpu.State.PC;
            string? failure = null;
            try
            {
                cpu.Step();
            }
            catch (Exception e) when (e is not GuestException)
            {
                failure = $"host exception at PC 0x{pc:x}: {e.GetType().Name}: {e.Message}";
            }
            failure ??= takeException();
            if (failure == null && cpu.StopReason != StopReason.None) failure = $"CPU stopped ({cpu.StopReason}) at PC 0x{pc:x}: {cpu.StopMessage}";
            if (failure == null && (cpu.State.PC < starts[0] || cpu.State.PC > end))
                failure = $"left the program: PC 0x{pc:x} -> 0x{cpu.State.PC:x}";
            if (failure == null) continue;

            int seq = SequenceOf(starts, pc);
            errors.TryAdd(seq, $"{failure} (instruction 0x{(bus.TryRead(pc, 4, out ulong w) ? (uint)w : 0):x8})");
            cpu.ClearStop();
            resume(seq + 1 < count ? starts[seq + 1] : end);
            current = Math.Min(seq + 1, count - 1);
        }
        return errors;
    }

    /// <summary>The result blocks: <paramref name="length"/> bytes of RAM from <paramref name="address"/>.</summary>
    public static byte[] ReadBlocks(PhysicalBus bus, ulong address, int length)
    {
        var blocks = new byte[length];
        for (int i = 0; i < blocks.Length; i += 8)
        {
            if (!bus.TryRead(address + (ulong)i, 8, out ulong v)) throw new InvalidOperationException("blocks unreadable");
            BitConverter.TryWriteBytes(blocks.AsSpan(i), v);
        }
        return blocks;
    }

    private static int SequenceOf(IReadOnlyList<ulong> starts, ulong pc)
    {
        int lo = 0, hi = starts.Count - 1, found = 0;
        while (lo <= hi)
        {
            int mid = (lo + hi) / 2;
            if (starts[mid] <= pc) { found = mid; lo = mid + 1; }
            else hi = mid - 1;
        }
        return found;
    }
}
