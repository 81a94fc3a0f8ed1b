#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""nested tier, issue 12: SIGTERM on snpvmm with Debian's own kernel as a --no-snp guest on
L1's real /dev/kvm. The first signal presses the ACPI power button (the PM1a device, the
SCI through the in-kernel IOAPIC):

- a guest whose user space acts on it (l2-init.sh `button`: Debian's evdev and ACPI button
  modules, busybox acpid running `poweroff -f`) powers off through ACPI S5: exit status 0,
  guest-exit "poweroff", and the guest's handler ran;
- a guest that ignores it (`sleep`) is stopped at --shutdown-timeout: exit status 5,
  guest-exit "stopped", with every vCPU kicked out of a real KVM_RUN.

In both, guest-exit is the last event. Run by run_nested.py."""
import json
import os
import re
import shutil
import tempfile
import unittest

import harness
import nested

L2_KERNEL = "/l2/vmlinuz"
L2_INITRD = "/l2/initrd.img"

# Run in L1: snpvmm in the background, SIGTERM once the guest says it is ready, then the
# exit status, the console and the events. L1's busybox has no applet links: $b each.
SCRIPT = r"""
b=/bin/busybox
"$@" &
pid=$!
i=0
until $b grep -q "snpvmm-l2: $ACTION now" "$CONSOLE" 2>/dev/null; do
	i=$((i + 1))
	if [ $i -gt 3000 ] || ! kill -0 $pid 2>/dev/null; then
		echo "snpvmm-test: no marker"
		kill -KILL $pid 2>/dev/null
		wait $pid
		echo "snpvmm-test: status $?"
		exit 0
	fi
	$b sleep 0.1
done
$b sleep 1
kill -TERM $pid
wait $pid
echo "snpvmm-test: status $?"
"""


class PowerButtonRun:
    def __init__(self, action, timeout_s):
        for attempt in (1, 2):
            self._boot(action, timeout_s)
            if attempt == 2 or not nested.early_triple_fault(f"test_power_button {action}",
                                                             self.events, self.log):
                break

    def _boot(self, action, timeout_s):
        self.dir = tempfile.mkdtemp(prefix="button-")
        self.console = os.path.join(self.dir, "console.txt")
        self.events_path = os.path.join(self.dir, "events.jsonl")
        argv = ["/bin/busybox", "env", f"ACTION={action}", f"CONSOLE={self.console}",
                "/bin/busybox", "sh", "-c", SCRIPT, "sh",
                os.environ["SNPVMM"], "--no-snp", "--kernel", L2_KERNEL, "--initrd",
                L2_INITRD, "--append", f"console=ttyS0 panic=-1 snpvmm_l2={action}",
                "--mem", "512M", "--smp", "2", "--console", "file:" + self.console,
                "--events", self.events_path, "--shutdown-timeout", str(timeout_s)]
        # A Linux boot takes 20-60 s in L1; the longest wait is the guest that acts on the
        # button (timeout_s=120).
        status, out, err = nested.L1_INSTANCE.run(argv, timeout=300)
        self.out = out.decode(errors="replace")
        self.err = err.decode(errors="replace")
        m = re.search(r"snpvmm-test: status (\d+)", self.out)
        self.status = int(m.group(1)) if m else None
        with open(self.console, errors="replace") as f:
            self.log = f.read()
        with open(self.events_path) as f:
            self.events = [json.loads(l) for l in f if l.strip()]
        shutil.rmtree(self.dir)

    def why(self):
        """What a failure message needs: the script's output, snpvmm's stderr, the last
        events and the end of the guest's console."""
        return (f"\n--- output:\n{self.out}--- snpvmm stderr:\n{self.err[-2000:]}"
                f"--- last events:\n{json.dumps(self.events[-3:], indent=1)}\n"
                f"--- console (end):\n{self.log[-3000:]}")


class ActsOnTheButton(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.run_ = PowerButtonRun("button", timeout_s=120)

    def test_the_guest_was_ready_when_the_signal_came(self):
        self.assertNotIn("no marker", self.run_.out, self.run_.why())

    def test_snpvmm_exits_0_because_the_guest_powered_off(self):
        self.assertEqual(self.run_.status, 0, self.run_.why())

    def test_the_guests_power_button_handler_ran(self):
        self.assertIn("snpvmm-l2: power button", self.run_.log, self.run_.why())

    def test_guest_exit_is_last_and_says_poweroff_by_acpi_s5(self):
        last = self.run_.events[-1]
        self.assertEqual((last["event"], last["reason"]), ("guest-exit", "poweroff"),
                         self.run_.why())
        self.assertIn("ACPI S5", last["detail"])


class IgnoresTheButton(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.run_ = PowerButtonRun("sleep", timeout_s=3)

    def test_snpvmm_exits_5_at_the_deadline(self):
        self.assertNotIn("no marker", self.run_.out, self.run_.why())
        self.assertEqual(self.run_.status, 5, self.run_.why())

    def test_guest_exit_is_last_and_says_stopped(self):
        last = self.run_.events[-1]
        self.assertEqual((last["event"], last["reason"], last["status"]),
                         ("guest-exit", "stopped", 5), self.run_.why())
        self.assertIn("did not power off within 3000 ms", last["detail"])


if __name__ == "__main__":
    harness.main()
