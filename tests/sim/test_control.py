#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""sim tier, issue 12: the QMP control socket (--control, docs/control.md) drives a running
guest on the simulated SNP host. The scripted guest reacts to the ACPI power button as
Linux does (wait-power-button, acpi-poweroff: docs/sim-guest.md), or ignores it (halt).

Each test checks the QMP traffic a QEMU client would see, the exit status, the last
events-file line (guest-exit) and, where the guest decides, the simulator's verdict."""
import json
import os
import socket
import subprocess
import sys
import time

import harness

MEM = "64M"
BUTTON_SCRIPT = "print guest: up\nwait-power-button\nprint guest: button\nacpi-poweroff\n"
IGNORING_SCRIPT = "print guest: up\nhalt\n"


class Qmp:
    """A minimal QMP client: reads \\r\\n-separated JSON, keeps events apart."""

    def __init__(self, path, negotiate=True, timeout=30):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.sock.connect(path)
        self.buf = b""
        self.events = []
        self.greeting = self.read()
        if negotiate:
            assert self.cmd("qmp_capabilities") == {"return": {}}

    def read(self):
        """The next message, or None at EOF (or a reset: the server dropped us)."""
        while b"\n" not in self.buf:
            try:
                data = self.sock.recv(65536)
            except ConnectionResetError:
                return None
            if not data:
                return None
            self.buf += data
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def send_raw(self, data: bytes):
        self.sock.sendall(data)

    def reply(self):
        """The next message that is not an event."""
        while True:
            msg = self.read()
            if msg is None or "event" not in msg:
                return msg
            self.events.append(msg)

    def cmd(self, name, **args):
        msg = {"execute": name}
        if args:
            msg["arguments"] = args
        self.send_raw(json.dumps(msg).encode() + b"\n")
        return self.reply()

    def wait_event(self, name):
        for ev in self.events:
            if ev["event"] == name:
                return ev
        while True:
            msg = self.read()
            if msg is None:
                raise AssertionError(f"connection closed before event {name}: {self.events}")
            if "event" in msg:
                self.events.append(msg)
                if msg["event"] == name:
                    return msg

    def close(self):
        self.sock.close()


class ControlTest(harness.SnpvmmTest):
    def start(self, script, *extra, timeout_s=None):
        self.sock = os.path.join(self.dir, "qmp.sock")
        self.events_path = os.path.join(self.dir, "events.jsonl")
        self.report = os.path.join(self.dir, "report.json")
        argv = [os.environ["SNPVMM"], "--sim=upstream", "--kernel", self.guest, "--mem", MEM,
                "--sim-guest", self.write("script.txt", script.encode()),
                "--sim-report", self.report, "--events", self.events_path,
                "--console", "file:" + os.path.join(self.dir, "console.txt"),
                "--control", self.sock, *extra]
        if timeout_s is not None:
            argv += ["--shutdown-timeout", str(timeout_s)]
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE)
        return self.proc

    def connect(self, negotiate=True):
        """A client, once snpvmm listens (a stale file may be there before); negotiated,
        it waits until the guest runs (the socket is served during the launch)."""
        deadline = time.monotonic() + 60
        while True:
            try:
                q = Qmp(self.sock, negotiate)
                self.clients.append(q)
                if negotiate:
                    self.wait_running(q)
                return q
            except (FileNotFoundError, ConnectionRefusedError):
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    out, err = self.proc.communicate()
                    self.fail(f"no control socket: status {self.proc.returncode}: {err!r}")
                time.sleep(0.02)

    def wait_running(self, q, timeout=60):
        deadline = time.monotonic() + timeout
        while True:
            status = q.cmd("query-status")["return"]["status"]
            if status == "running":
                return
            self.assertEqual(status, "prelaunch")
            self.assertLess(time.monotonic(), deadline, "the guest never ran")
            time.sleep(0.02)

    def setUp(self):
        super().setUp()
        self.clients = []

    def finish(self, expect_status):
        out, err = self.proc.communicate(timeout=60)
        err = err.decode(errors="replace")
        self.assertEqual(self.proc.returncode, expect_status, err)
        self.assertNotIn("Sanitizer", err)
        self.assertFalse(os.path.exists(self.sock), "the socket file outlives snpvmm")
        with open(self.events_path) as f:
            events = [json.loads(l) for l in f]
        self.assertEqual(events[-1]["event"], "guest-exit", events)
        return events, err

    def report_verdict(self):
        with open(self.report) as f:
            return json.load(f)["guest_script"]

    def console(self):
        with open(os.path.join(self.dir, "console.txt")) as f:
            return f.read()

    def wait_console(self, text, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if os.path.exists(os.path.join(self.dir, "console.txt")) and text in self.console():
                return
            time.sleep(0.02)
        self.fail(f"the guest never printed {text!r}")

    def tearDown(self):
        for q in self.clients:
            q.close()
        if getattr(self, "proc", None) and self.proc.poll() is None:
            self.proc.kill()
            self.proc.communicate()
        super().tearDown()

    # ---- the guest acts on the power button ----

    def test_system_powerdown_makes_the_guest_power_off_through_acpi_s5(self):
        self.start(BUTTON_SCRIPT)
        q = self.connect()
        self.assertEqual(q.greeting["QMP"]["capabilities"], [])
        self.assertTrue(q.greeting["QMP"]["version"]["package"].startswith("snpvmm "))
        self.assertEqual(q.cmd("query-status"),
                         {"return": {"status": "running", "running": True}})
        self.wait_console("guest: up")
        self.assertEqual(q.cmd("system_powerdown"), {"return": {}})
        self.assertEqual(q.wait_event("POWERDOWN")["data"], {})
        shutdown = q.wait_event("SHUTDOWN")
        self.assertEqual(shutdown["data"]["guest"], True)
        self.assertEqual(shutdown["data"]["reason"], "guest-shutdown")
        self.assertIn("seconds", shutdown["timestamp"])
        self.assertIsNone(q.read(), "the socket stays open after SHUTDOWN")
        events, _ = self.finish(0)
        self.assertEqual(events[-1]["reason"], "poweroff")
        self.assertIn("ACPI S5", events[-1]["detail"])
        self.assertIn("guest: button", self.console())
        self.assertEqual(self.report_verdict(), "passed")

    # ---- the host decides ----

    def test_a_guest_that_ignores_the_button_is_stopped_at_the_deadline(self):
        self.start(IGNORING_SCRIPT, timeout_s=1)
        q = self.connect()
        self.wait_console("guest: up")
        t0 = time.monotonic()
        self.assertEqual(q.cmd("system_powerdown"), {"return": {}})
        shutdown = q.wait_event("SHUTDOWN")
        self.assertGreaterEqual(time.monotonic() - t0, 0.9)
        self.assertEqual(shutdown["data"]["guest"], False)
        self.assertIn("did not power off within 1000 ms", shutdown["data"]["detail"])
        events, err = self.finish(5)
        self.assertEqual(events[-1]["reason"], "stopped")
        self.assertEqual(events[-1]["status"], 5)

    def test_quit_stops_the_guest_at_once(self):
        self.start(IGNORING_SCRIPT)
        q = self.connect()
        self.wait_console("guest: up")
        self.assertEqual(q.cmd("quit"), {"return": {}})
        shutdown = q.wait_event("SHUTDOWN")
        self.assertEqual(shutdown["data"], {"guest": False, "reason": "host-qmp-quit",
                                            "detail": "stopped by the QMP command quit"})
        events, err = self.finish(5)
        self.assertEqual(events[-1]["reason"], "stopped")
        self.assertIn("stopped by the QMP command quit", err)

    def test_system_reset_ends_the_vm_as_qemu_with_no_reboot(self):
        self.start(IGNORING_SCRIPT)
        q = self.connect()
        self.assertEqual(q.cmd("system_reset"), {"return": {}})
        shutdown = q.wait_event("SHUTDOWN")
        self.assertEqual(shutdown["data"]["guest"], False)
        self.assertEqual(shutdown["data"]["reason"], "host-qmp-system-reset")
        events, _ = self.finish(0)
        self.assertEqual(events[-1]["reason"], "reset")

    def test_a_guest_termination_request_is_a_panic_to_qmp(self):
        self.start("wait-power-button\nterminate 3 7\n")
        q = self.connect()
        self.assertEqual(q.cmd("system_powerdown"), {"return": {}})
        self.assertEqual(q.wait_event("GUEST_PANICKED")["data"], {"action": "poweroff"})
        shutdown = q.wait_event("SHUTDOWN")["data"]
        self.assertEqual((shutdown["guest"], shutdown["reason"]), (True, "guest-panic"))
        self.assertIn("reason set 3, code 7", shutdown["detail"])
        events, _ = self.finish(4)
        self.assertEqual(events[-1]["reason"], "terminated")

    # ---- queries ----

    def test_queries_report_the_launch(self):
        self.start(IGNORING_SCRIPT)
        q = self.connect()
        ver = q.cmd("query-version")["return"]
        self.assertEqual(set(ver["qemu"]), {"major", "minor", "micro"})
        self.assertTrue(ver["package"].startswith("snpvmm "))
        sev = q.cmd("query-sev")["return"]
        self.assertEqual(sev["sev-type"], "sev-snp")
        self.assertEqual(sev["snp-policy"], 0x30000)
        self.assertTrue(sev["enabled"])
        # The firmware version the simulated host's SNP_PLATFORM_STATUS reports (the
        # profile's: API 1.55, build 0), read once at the launch's host checks.
        self.assertEqual((sev["api-major"], sev["api-minor"], sev["build-id"]), (1, 55, 0))
        meas = q.cmd("query-sev-launch-measure")["return"]
        names = {c["name"] for c in q.cmd("query-commands")["return"]}
        self.assertTrue({"query-status", "system_powerdown", "quit", "query-sev"} <= names)
        self.assertEqual(q.cmd("query-kvm")["return"], {"enabled": True, "present": True})
        q.cmd("quit")
        events, _ = self.finish(5)
        predicted = [e for e in events if e["event"] == "measurement"][0]["measurement"]
        self.assertEqual(meas["measurement"], predicted)
        import base64
        self.assertEqual(base64.b64decode(meas["data"]).hex(), predicted)

    def test_query_sev_reports_the_firmware_version_the_host_reported(self):
        # A firmware version no default has: the numbers come from SNP_PLATFORM_STATUS.
        self.start(IGNORING_SCRIPT, "--sim-set", "api=1.58.21")
        q = self.connect()
        sev = q.cmd("query-sev")["return"]
        self.assertEqual((sev["api-major"], sev["api-minor"], sev["build-id"]), (1, 58, 21))
        q.cmd("quit")
        self.finish(5)

    # ---- bad input from a client ----

    def test_malformed_input_gets_qmp_errors_and_never_ends_the_vm(self):
        self.start(IGNORING_SCRIPT)
        q = self.connect(negotiate=False)

        def err(raw):
            q.send_raw(raw)
            return q.reply()

        r = q.cmd("query-status")
        self.assertEqual(r["error"]["class"], "CommandNotFound")
        self.assertIn("qmp_capabilities", r["error"]["desc"])
        self.assertEqual(q.cmd("qmp_capabilities"), {"return": {}})
        self.assertEqual(q.cmd("qmp_capabilities")["error"]["class"], "CommandNotFound")
        self.wait_running(q)
        cases = [
            b"{\"execute\": bad}\n",
            b"[1, 2]\n",
            b"{\"arguments\": {}}\n",
            b"{\"execute\": 42}\n",
            b"{\"execute\": \"query-status\", \"arguments\": []}\n",
            b"{\"execute\": \"query-status\", \"arguments\": {\"x\": 1}}\n",
            b"{\"execute\": \"query-status\", \"exec-oob\": 1}\n",
            b"{\"execute\": \"query-status\", \"execute\": \"quit\"}\n",
            b"\xff\xfe{\n",
            b"}\n",
        ]
        for raw in cases:
            r = err(raw)
            self.assertEqual(r["error"]["class"], "GenericError", (raw, r))
        r = q.cmd("no-such-command")
        self.assertEqual(r["error"]["class"], "CommandNotFound")
        # The id comes back, whatever JSON it is; a text split across writes and
        # without a newline is one request (QEMU's Python library sends it so).
        q.send_raw(b'{"execute": "query-st')
        time.sleep(0.05)
        q.send_raw(b'atus", "id": {"n": [1]}}')
        self.assertEqual(q.reply(), {"return": {"status": "running", "running": True},
                                     "id": {"n": [1]}})
        # A text longer than 64 KiB: one error, then the client is dropped.
        q.send_raw(b'{"execute": "' + b"x" * (70 * 1024))
        r = q.reply()
        self.assertEqual(r["error"]["class"], "GenericError")
        self.assertIsNone(q.read())
        # The VM is untouched; a new client still works.
        q2 = self.connect()
        self.assertEqual(q2.cmd("query-status")["return"]["status"], "running")
        q2.cmd("quit")
        self.finish(5)

    def test_every_client_gets_the_events_and_extra_clients_are_refused(self):
        self.start(BUTTON_SCRIPT)
        clients = [self.connect() for _ in range(8)]
        extra = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        extra.settimeout(10)
        extra.connect(self.sock)
        self.assertEqual(extra.recv(4096), b"", "a ninth client is served")
        extra.close()
        clients[3].close()  # one goes away: the others are not disturbed
        self.assertEqual(clients[0].cmd("system_powerdown"), {"return": {}})
        for i, q in enumerate(clients):
            if i == 3:
                continue
            self.assertEqual(q.wait_event("POWERDOWN")["event"], "POWERDOWN")
            self.assertEqual(q.wait_event("SHUTDOWN")["data"]["reason"], "guest-shutdown")
        self.finish(0)

    # ---- the socket path ----

    def test_a_stale_socket_file_is_replaced_and_a_live_one_refused(self):
        path = os.path.join(self.dir, "qmp.sock")
        stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        stale.bind(path)
        stale.close()  # the file stays, nobody listens
        self.start(IGNORING_SCRIPT)
        q = self.connect()
        status, out, err = harness.snpvmm(
            "--sim=upstream", "--kernel", self.guest, "--mem", MEM, "--console", "none",
            "--control", path)
        self.assert_one_error_line(status, err, "another process is listening",
                                   expect_status=1)
        q.cmd("quit")
        self.finish(5)

    def test_bad_control_arguments_are_one_error_line(self):
        notsock = self.write("file", b"x")
        for args, needle, st in [
                (["--control", notsock], "not a socket", 1),
                (["--control", "/" + "a" * 200], "1 to 107 bytes", 1),
                (["--control", os.path.join(self.dir, "no", "dir", "q.sock")],
                 "No such file", 1),
                (["--control", ""], "--control", 2),
                (["--shutdown-timeout", "x"], "--shutdown-timeout", 2),
                (["--shutdown-timeout", "86401"], "--shutdown-timeout", 2)]:
            status, out, err = harness.snpvmm(
                "--sim=upstream", "--kernel", self.guest, "--mem", MEM, "--console", "none",
                *args)
            self.assert_one_error_line(status, err, needle, expect_status=st)


if __name__ == "__main__":
    harness.main()
