#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""sim tier: the event stream of `--events PATH|fd:N|-` (docs/events.md), written with
jansson from the library's typed events. Every line is one valid JSON object in UTF-8,
also for a kernel path that is not UTF-8 and for a message longer than any fixed buffer;
each carries the VM's --name and a monotonic timestamp that never goes back; the launch
shows progress per phase and launch-finished the time of each; guest-exit is last, also
when the launch fails."""
import json
import os
import subprocess

import harness

SNPVMM = os.environ["SNPVMM"]


class EventsTest(harness.SnpvmmTest):
    def run_with_fd(self, *args):
        r, w = os.pipe()
        cmd = [SNPVMM, *args, "--events", f"fd:{w}"]
        p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, pass_fds=(w,))
        os.close(w)
        with os.fdopen(r, "rb") as f:
            raw = f.read()
        out, err = p.communicate(timeout=120)
        return p.returncode, raw, err.decode(errors="replace")

    def parse(self, raw):
        text = raw.decode("utf-8")  # must be UTF-8 as a whole
        self.assertTrue(text.endswith("\n"))
        return [json.loads(line) for line in text.splitlines()]

    def test_a_launch_on_the_simulated_host_streams_every_event_to_an_fd(self):
        # A kernel path with a byte that is not UTF-8 and a name with one.
        kernel = os.path.join(os.fsencode(self.dir), b"k\xffernel")
        with open(kernel, "wb") as f:
            f.write(self.guest_bytes())
        status, raw, err = self.run_with_fd(
            "--sim=6.18", "--kernel", os.fsdecode(kernel), "--mem", "64M", "--smp", "2",
            "--name", os.fsdecode(b"guest-\xfe7"))

        self.assertEqual(status, 0, err)
        evs = self.parse(raw)
        names = [e["event"] for e in evs]
        self.assertEqual(names[0], "launch-started")
        for want in ("host-checked", "measurement", "launch-progress", "launch-finished",
                     "page-state"):
            self.assertIn(want, names)
        self.assertEqual(names[-1], "guest-exit")
        self.assertEqual(names.count("guest-exit"), 1)
        self.assertEqual({e["name"] for e in evs}, {"guest-\ufffd7"})
        monotonic = [e["monotonic"] for e in evs]
        self.assertEqual(monotonic, sorted(monotonic))
        phases = [e["phase"] for e in evs if e["event"] == "launch-progress"]
        self.assertEqual(phases[0], "images")
        self.assertIn("launch-update", phases)
        finished = next(e for e in evs if e["event"] == "launch-finished")
        for p in phases:
            self.assertIsInstance(finished[f"phase_{p}_us"], int)
        self.assertEqual((finished["abi"], finished["boot"], finished["snp"]),
                         ("upstream", "hashes", True))
        self.assertEqual((evs[-1]["reason"], evs[-1]["status"]), ("poweroff", 0))

    def test_a_failed_launch_ends_with_guest_exit_and_its_whole_message(self):
        # A path far longer than the 250 bytes a message used to be cut at.
        missing = os.path.join(self.dir, "d" * 200, "e" * 200, "f" * 200, "kernel")
        status, raw, err = self.run_with_fd("--sim=6.18", "--kernel", missing)

        self.assertEqual(status, 1, err)
        evs = self.parse(raw)
        self.assertEqual(evs[-1]["event"], "guest-exit")
        self.assertEqual((evs[-1]["reason"], evs[-1]["status"]), ("vmm-error", 1))
        self.assertIn(missing, evs[-1]["detail"])
        self.assertIn(missing, err)

    def test_each_certificate_request_is_an_event(self):
        script = self.write("certs.script", b"psc shared 0x2000000 4 4k\n"
                            b"certs 0x2000000 4\nshutdown\n")
        status, raw, err = self.run_with_fd(
            "--sim=7.0", "--kernel", self.guest, "--mem", "64M", "--sim-guest", script,
            "--certs", self.write("certs.bin", b"\0" * 24))

        self.assertEqual(status, 0, err)
        served = [e for e in self.parse(raw) if e["event"] == "certs-served"]
        self.assertEqual([(e["vcpu"], e["ret"]) for e in served], [(0, 0)])

    def test_events_to_a_closed_fd_are_refused_before_the_launch(self):
        status, _, err = harness.snpvmm("--sim=6.18", "--kernel", self.guest,
                                        "--events", "fd:99")
        self.assert_one_error_line(status, err, "--events 'fd:99'")


if __name__ == "__main__":
    harness.main()
