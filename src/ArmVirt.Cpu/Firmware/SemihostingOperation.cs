namespace ArmVirt.Cpu.Firmware;

/// <summary>Semihosting operation numbers (Arm "Semihosting for AArch32 and AArch64", "Semihosting operations").</summary>
internal enum SemihostingOperation : uint
{
    /// <summary>SYS_OPEN: open a file or the special names <c>:tt</c> and <c>:semihosting-features</c>.</summary>
    Open = 0x01,
    /// <summary>SYS_CLOSE.</summary>
    Close = 0x02,
    /// <summary>SYS_WRITEC: write one character to the debug console.</summary>
    WriteC = 0x03,
    /// <summary>SYS_WRITE0: write a null-terminated string to the debug console.</summary>
    Write0 = 0x04,
    /// <summary>SYS_WRITE: write a buffer to an open handle.</summary>
    Write = 0x05,
    /// <summary>SYS_READ: read from an open handle into a buffer.</summary>
    Read = 0x06,
    /// <summary>SYS_READC: read one character from the debug console.</summary>
    ReadC = 0x07,
    /// <summary>SYS_ISERROR: whether a status value is an error.</summary>
    IsError = 0x08,
    /// <summary>SYS_ISTTY: whether a handle is an interactive device.</summary>
    IsTty = 0x09,
    /// <summary>SYS_SEEK.</summary>
    Seek = 0x0A,
    /// <summary>SYS_FLEN: length of a file.</summary>
    FLen = 0x0C,
    /// <summary>SYS_TMPNAM.</summary>
    TmpNam = 0x0D,
    /// <summary>SYS_REMOVE.</summary>
    Remove = 0x0E,
    /// <summary>SYS_RENAME.</summary>
    Rename = 0x0F,
    /// <summary>SYS_CLOCK: centiseconds since execution started.</summary>
    Clock = 0x10,
    /// <summary>SYS_TIME: seconds since the epoch.</summary>
    Time = 0x11,
    /// <summary>SYS_SYSTEM: run a host command.</summary>
    System = 0x12,
    /// <summary>SYS_ERRNO: the errno of the last failing operation.</summary>
    Errno = 0x13,
    /// <summary>SYS_GET_CMDLINE.</summary>
    GetCmdline = 0x15,
    /// <summary>SYS_HEAPINFO: heap and stack placement.</summary>
    HeapInfo = 0x16,
    /// <summary>SYS_EXIT (angel_SWIreason_ReportException).</summary>
    Exit = 0x18,
    /// <summary>SYS_EXIT_EXTENDED (extension SH_EXT_EXIT_EXTENDED).</summary>
    ExitExtended = 0x20,
    /// <summary>SYS_ELAPSED: target ticks since execution started.</summary>
    Elapsed = 0x30,
    /// <summary>SYS_TICKFREQ: ticks per second.</summary>
    TickFreq = 0x31,
}
