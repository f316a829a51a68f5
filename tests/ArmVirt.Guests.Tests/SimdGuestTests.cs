using System.Text;
using ArmVirt.Machine;

namespace ArmVirt.Guests.Tests;

/// <summary>
/// The -O3 FP/SIMD guest (tests/guests/simd.c) checked against answers computed independently of both QEMU and
/// ArmVirt: FIPS-197 appendix C.1 for AES-128, FIPS 180-4's "abc" example, and Python's hashlib/zlib (and a
/// bitwise CRC-32C) over the guest's 1000-byte buffer. The byte-for-byte comparison with QEMU is in
/// <see cref="GuestTests"/>; this keeps a wrong recording from hiding a wrong answer.
/// </summary>
[TestClass]
public sealed class SimdGuestTests
{
    [TestMethod]
    [DataRow("simd")]
    [DataRow("simd-el2")]
    public void SimdGuestComputesKnownAnswers(string name)
    {
        var guest = GuestCase.Named(name);
        using var serial = new MemoryStream();
        using var machine = new MachineBuilder()
            .WithMemory(128UL << 20)
            .WithCpu("cortex-a57")
            .WithHighestEl(guest.HighestEl)
            .WithKernel(guest.ElfPath)
            .WithSerial(serial)
            .Build();
        var exit = machine.Run(GuestCase.DefaultMaxInstructions);
        string text = Encoding.ASCII.GetString(serial.ToArray());
        Assert.AreEqual(guest.Reason, exit.Reason, $"{name}: {exit.Message}\n{text}");
        StringAssert.Contains(text, $"simd guest at EL{guest.HighestEl}\n");
        StringAssert.Contains(text, "aes128 enc 69c4e0d86a7b0430d8cdb78070b4c55a\n");
        StringAssert.Contains(text, "aes128 dec 00112233445566778899aabbccddeeff\n");
        StringAssert.Contains(text, "sha256 abc ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\n");
        StringAssert.Contains(text, "sha256 buf 6af465987131433aa3e51f0cfc683739f03f442b82cdf13e3aac9848d104e8ec\n");
        StringAssert.Contains(text, "crc32 eddacf70 crc32c 84e6f9c9\n");
        StringAssert.Contains(text, "sqrt2  3ff6a09e667f3bcd\n");
        StringAssert.Contains(text, "strlen 1000\n");
        StringAssert.EndsWith(text, "done\n");
    }
}
