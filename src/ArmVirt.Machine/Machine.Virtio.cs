using ArmVirt.Core;

namespace ArmVirt.Machine;

public sealed partial class Machine
{
    /// <summary>Virtual time between checks for live serial input while a polled virtio device keeps the clock busy.</summary>
    internal const ulong SerialInputPollCycles = 1_000_000;

    private ScheduledEvent? _serialInputPoll;

    // A virtio device that polls its host side on virtual time (a network backend fed by another thread, a console)
    // keeps an event always scheduled, so a waiting CPU skips from event to event and never blocks in IdleWait, where
    // live serial input is otherwise picked up; Run only picks it up between instruction slices, which an idle guest
    // may not reach for long. This moves it into the UART on virtual time as well.
    internal void PollSerialInputOnVirtualTime()
    {
        _serialInputPoll ??= Clock.Schedule(Clock.Now + SerialInputPollCycles, PollSerialInput);
    }

    private void PollSerialInput()
    {
        Uart.ReceivePendingInput();
        Clock.Reschedule(_serialInputPoll!, Clock.Now + SerialInputPollCycles);
    }
}
