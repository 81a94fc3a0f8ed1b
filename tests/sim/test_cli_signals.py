#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""sim tier, issue 12: `snpvmm run` stopped from outside, on a terminal. snpvmm runs on a
pseudo-terminal (Python's pty module) as it would in a user's shell, with its console on
stdio, so the terminal is in raw mode while the guest runs.

SIGTERM/SIGINT/SIGHUP press the guest's power button and stop it after
--shutdown-timeout (a second signal at once); Ctrl-a x quits. Every way out must leave the
terminal's termios exactly as they were and the events file complete (guest-exit last)."""
import json
import os
import pty
import signal
import subprocess
import termios
import threading
import time

import harness
from test_control import BUTTON_SCRIPT, IGNORING_SCRIPT, Qmp

MEM = "64M"


class PtyRun:
    """snpvmm with stdin, stdout and stderr on the slave side of a new pty."""

    def __init__(self, argv):
        self.master, self.slave = pty.openpty()
        self.before = termios.tcgetattr(self.slave)
        self.proc = subprocess.Popen(argv, stdin=self.slave, stdout=self.slave,
                                     stderr=self.slave, close_fds=True)
        self.out = b""
        self.lock = threading.Lock()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        while True:
            try:
                data = os.read(self.master, 4096)
            except OSError:
                return
            if not data:
                return
            with self.lock:
                self.out += data

    def output(self):
        with self.lock:
            return self.out.decode(errors="replace")

    def wait_output(self, text, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.output():
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.02)
        raise AssertionError(f"never saw {text!r}: {self.output()!r}")

    def type(self, data: bytes):
        os.write(self.master, data)

    def wait(self, timeout=60):
        """snpvmm's exit status and the terminal's termios after it, once the reader has
        everything snpvmm wrote: with the child gone and our slave fd closed, the master
        reads what is left, then EIO, and the reader ends (without that, the last lines
        could still be on their way to self.out when the test looked: seen under load)."""
        status = self.proc.wait(timeout=timeout)
        after = termios.tcgetattr(self.slave)
        os.close(self.slave)
        self.slave = None
        self.reader.join(timeout=30)
        return status, after

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if self.slave is not None:
            os.close(self.slave)
        self.reader.join(timeout=5)
        os.close(self.master)


class SignalTest(harness.SnpvmmTest):
    def run_on_pty(self, script, *extra):
        self.events_path = os.path.join(self.dir, "events.jsonl")
        argv = [os.environ["SNPVMM"], "--sim=upstream", "--kernel", self.guest, "--mem", MEM,
                "--sim-guest", self.write("script.txt", script.encode()),
                "--events", self.events_path, *extra]
        self.run = PtyRun(argv)
        self.addCleanup(self.run.close)
        self.run.wait_output("guest: up")
        # The test can fail: while the guest runs, the terminal is raw.
        self.assertNotEqual(termios.tcgetattr(self.run.slave), self.run.before)
        return self.run

    def end(self, expect_status, timeout=60):
        status, after = self.run.wait(timeout)
        out = self.run.output()
        self.assertEqual(status, expect_status, out)
        self.assertEqual(after, self.run.before, "the terminal was not restored")
        self.assertNotIn("Sanitizer", out)
        with open(self.events_path) as f:
            events = [json.loads(l) for l in f]
        self.assertEqual(events[-1]["event"], "guest-exit", events)
        self.assertEqual(sum(e["event"] == "guest-exit" for e in events), 1)
        return events[-1], out

    def test_sigterm_lets_a_guest_that_acts_on_the_power_button_power_off(self):
        run = self.run_on_pty(BUTTON_SCRIPT)
        run.proc.send_signal(signal.SIGTERM)
        ge, out = self.end(0)
        self.assertEqual(ge["reason"], "poweroff")
        self.assertIn("guest: button", out)

    def test_sigterm_stops_a_guest_that_ignores_the_button_at_the_deadline(self):
        run = self.run_on_pty(IGNORING_SCRIPT, "--shutdown-timeout", "1")
        t0 = time.monotonic()
        run.proc.send_signal(signal.SIGTERM)
        ge, out = self.end(5)
        self.assertGreaterEqual(time.monotonic() - t0, 0.9)
        self.assertEqual((ge["reason"], ge["status"]), ("stopped", 5))
        self.assertIn("did not power off within 1000 ms", ge["detail"])

    def test_a_second_signal_stops_at_once(self):
        run = self.run_on_pty(IGNORING_SCRIPT, "--shutdown-timeout", "600")
        run.proc.send_signal(signal.SIGTERM)
        time.sleep(0.2)
        run.proc.send_signal(signal.SIGINT)
        ge, out = self.end(5, timeout=30)
        self.assertEqual(ge["detail"], "stopped by SIGINT")

    def test_sighup_with_no_timeout_stops_at_once(self):
        run = self.run_on_pty(IGNORING_SCRIPT, "--shutdown-timeout", "0")
        run.proc.send_signal(signal.SIGHUP)
        ge, out = self.end(5, timeout=30)
        self.assertEqual(ge["detail"], "stopped by SIGHUP")

    def test_sigterm_reaches_qmp_clients_as_powerdown_then_a_host_signal_shutdown(self):
        sock = os.path.join(self.dir, "qmp.sock")
        run = self.run_on_pty(IGNORING_SCRIPT, "--shutdown-timeout", "1", "--control", sock)
        q = Qmp(sock)
        self.addCleanup(q.close)
        run.proc.send_signal(signal.SIGTERM)
        self.assertEqual(q.wait_event("POWERDOWN")["data"], {})
        shutdown = q.wait_event("SHUTDOWN")["data"]
        self.assertEqual((shutdown["guest"], shutdown["reason"]), (False, "host-signal"))
        self.end(5)

    def test_ctrl_a_x_quits(self):
        run = self.run_on_pty(IGNORING_SCRIPT)
        run.type(b"\x01x")
        ge, out = self.end(5, timeout=30)
        self.assertEqual(ge["detail"], "stopped from the console (Ctrl-a x)")

    def test_ctrl_a_h_prints_the_keys_and_the_guest_keeps_running(self):
        run = self.run_on_pty(IGNORING_SCRIPT)
        run.type(b"\x01h")
        run.wait_output("C-a x")
        self.assertIsNone(run.proc.poll())
        run.type(b"\x01\x01")  # sends one Ctrl-a to the guest, quits nothing
        run.type(b"\x01q")  # unknown key: dropped with the escape
        time.sleep(0.2)
        self.assertIsNone(run.proc.poll())
        run.type(b"\x01x")
        self.end(5, timeout=30)


if __name__ == "__main__":
    harness.main()
