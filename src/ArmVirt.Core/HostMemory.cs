using System.Runtime.InteropServices;

namespace ArmVirt.Core;

/// <summary>
/// Zeroed host memory for guest RAM. On Linux an anonymous mapping aligned to 2 MiB with transparent huge pages asked
/// for (madvise(MADV_HUGEPAGE), as QEMU does for its guest RAM): a guest that walks megabytes of data then misses the
/// host's TLB once per 2 MiB rather than once per 4 KiB, which under a hypervisor (nested paging) is most of the cost
/// of a pointer chase. Elsewhere, or when the mapping fails, a plain zeroed allocation.
/// </summary>
internal static unsafe class HostMemory
{
    private const nuint HugePage = 2 << 20;
    private const int ProtRead = 1, ProtWrite = 2, MapPrivate = 0x02, MapAnonymous = 0x20, MadvHugePage = 14;

    /// <summary>
    /// <paramref name="size"/> zeroed bytes; <paramref name="mapping"/> and <paramref name="mappingLength"/> are what
    /// <see cref="Free"/> takes back (a null mapping: the block came from <see cref="NativeMemory.AllocZeroed(nuint)"/>).
    /// </summary>
    public static byte* Allocate(nuint size, out void* mapping, out nuint mappingLength)
    {
        if (OperatingSystem.IsLinux() && size >= HugePage)
        {
            nuint length = size + HugePage;
            void* m;
            try
            {
                m = mmap(null, length, ProtRead | ProtWrite, MapPrivate | MapAnonymous, -1, 0);
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
                m = (void*)-1; // a libc the runtime cannot bind: the plain allocation below
            }
            if (m != (void*)-1)
            {
                byte* aligned = (byte*)(((nuint)m + HugePage - 1) & ~(HugePage - 1));
                _ = madvise(aligned, size & ~(HugePage - 1), MadvHugePage); // advice only: 4 KiB pages if refused
                mapping = m;
                mappingLength = length;
                return aligned;
            }
        }
        mapping = null;
        mappingLength = 0;
        return (byte*)NativeMemory.AllocZeroed(size);
    }

    /// <summary>Releases a block from <see cref="Allocate"/>.</summary>
    public static void Free(byte* pointer, void* mapping, nuint mappingLength)
    {
        if (mapping != null) _ = munmap(mapping, mappingLength);
        else NativeMemory.Free(pointer);
    }

    [DllImport("libc", SetLastError = true)]
    private static extern void* mmap(void* addr, nuint length, int prot, int flags, int fd, nint offset);

    [DllImport("libc", SetLastError = true)]
    private static extern int munmap(void* addr, nuint length);

    [DllImport("libc", SetLastError = true)]
    private static extern int madvise(void* addr, nuint length, int advice);
}
