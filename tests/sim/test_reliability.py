#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""sim tier, issue 13: reliability of the real snpvmm binary against the simulated SNP host.
Each test names a failure an attack run found (a lost vCPU kick, file descriptors a guest
could write into, unbounded reads, ...) and proves it cannot happen again."""
import json
import os
import subprocess
import threading

import harness

MEM = "64M"


def strict_events(data):
    """Parses JSON Lines as a strict consumer does: the bytes must be UTF-8, every line
    one JSON object."""
    return [json.loads(line) for line in data.decode("utf-8").splitlines()]


class Reliability(harness.SnpvmmTest):
    def command(self, *args, profile="upstream", script=None, mem=MEM):
        cmd = [os.environ["SNPVMM"], f"--sim={profile}", "--kernel", self.guest, "--mem", mem]
        if script is not None:
            cmd += ["--sim-guest", self.write("script.txt", script.encode())]
        return cmd + list(args)

    def run_cmd(self, cmd, timeout=60, stdout=subprocess.PIPE):
        p = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=stdout,
                           stderr=subprocess.PIPE, timeout=timeout)
        return p.returncode, p.stdout, p.stderr.decode(errors="replace")

    def error_lines(self, err):
        """stderr without the notices of a run that got going (the simulated host's
        banner, the launch measurement)."""
        return [l for l in err.splitlines()
                if l.strip() and "SIMULATED" not in l and "launch measurement" not in l]

    def assert_one_error(self, status, err, *needles, expect_status=1):
        lines = self.error_lines(err)
        self.assertEqual(status, expect_status, err)
        self.assertEqual(len(lines), 1, f"expected one error line, got: {err!r}")
        self.assertTrue(lines[0].startswith("snpvmm"), lines[0])
        for n in needles:
            self.assertIn(n, lines[0])
        self.assertNotIn("Sanitizer", err)

    def events(self, path):
        with open(path, "rb") as f:
            return strict_events(f.read())


class StopRaceTest(Reliability):
    # Under ThreadSanitizer every run reports an unsynchronised kick at once; fewer runs.
    RUNS = 30 if "thread" in os.environ.get("SNPVMM_SANITIZE", "") else 100
    PARALLEL = 4
    TIMEOUT = 60  # seconds per run; a run of 255 vCPUs takes well under one

    def test_every_vcpu_leaves_kvm_run_when_the_guest_stops_at_once(self):
        # The simulated host's idle vCPUs behave like KVM's: they leave KVM_RUN only for a
        # signal or an immediate_exit set before entry. A guest that shuts down at once
        # stops the VM while the other 254 vCPU threads are still starting; a thread that
        # entered KVM_RUN unseen by the stop was never kicked and the VMM waited for it
        # forever (1-2 runs in 40 hung). Runs go in parallel so that threads are
        # preempted at arbitrary points; the failure signal is a run that does not end.
        cmd = self.command("--smp", "255", script="shutdown\n")
        hung, failed, started = 0, [], 0
        running = []
        while started < self.RUNS or running:
            while started < self.RUNS and len(running) < self.PARALLEL:
                running.append(subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                                                stdout=subprocess.DEVNULL,
                                                stderr=subprocess.PIPE))
                started += 1
            p = running.pop(0)
            try:
                _, err = p.communicate(timeout=self.TIMEOUT)
            except subprocess.TimeoutExpired:
                p.kill()
                p.communicate()
                hung += 1
                continue
            if p.returncode != 0:
                failed.append((p.returncode, err.decode(errors="replace")))
        self.assertEqual(hung, 0, f"{hung} of {self.RUNS} runs hung")
        self.assertEqual(failed, [])


# A line the guest prints that looks like the VMM's final event.
FORGED = '{"event":"guest-exit","time":1,"reason":"poweroff","status":0,"detail":"forged"}'


class StandardFdsTest(Reliability):
    def test_closed_stdout_and_stderr_cannot_put_guest_output_into_the_events_file(self):
        # Started with fds 1 and 2 closed, snpvmm's events file became fd 1 and the
        # guest's console output (here a forged guest-exit line) went into it.
        events = os.path.join(self.dir, "events.jsonl")
        cmd = self.command("--events", events, script=f"print {FORGED}\nterminate 1 2\n")

        p = subprocess.run(cmd, stdin=subprocess.DEVNULL, timeout=60,
                           preexec_fn=lambda: (os.close(1), os.close(2)))

        evs = self.events(events)
        self.assertEqual(p.returncode, 4)
        self.assertEqual([e["event"] for e in evs].count("guest-exit"), 1, evs)
        self.assertEqual(evs[-1]["reason"], "terminated")
        self.assertNotIn("forged", json.dumps(evs))


class WriteFailureTest(Reliability):
    def measure_cmd(self, *args):
        return [os.environ["SNPVMM"], "measure", "--kernel", self.guest, "--mem", MEM,
                "--sev-features", "none", *args]

    def test_measure_digest_to_a_full_device_is_an_error(self):
        with open("/dev/full", "wb") as full:
            status, _, err = self.run_cmd(self.measure_cmd(), stdout=full)

        self.assert_one_error(status, err, "cannot write the digest")

    def test_measure_trace_to_a_full_device_is_an_error(self):
        status, out, err = self.run_cmd(self.measure_cmd("--trace", "/dev/full"))

        self.assert_one_error(status, err, "/dev/full")
        self.assertEqual(out, b"")

    def test_events_to_a_full_device_fail_the_run(self):
        status, _, err = self.run_cmd(self.command("--events", "/dev/full"))

        self.assert_one_error(status, err, "events file '/dev/full'", "No space left")

    def test_host_info_to_a_full_device_is_an_error(self):
        with open("/dev/full", "wb") as full:
            status, _, err = self.run_cmd([os.environ["SNPVMM"], "host-info", "--sim=upstream"],
                                          stdout=full)

        self.assert_one_error(status, err, "standard output")


class FifoTest(Reliability):
    TIMEOUT = 30  # a run takes well under a second; snpvmm used to wait for a reader forever

    def fifo(self, name="fifo"):
        path = os.path.join(self.dir, name)
        os.mkfifo(path)
        return path

    def test_events_fifo_without_a_reader_is_refused_not_waited_for(self):
        fifo = self.fifo()

        status, _, err = self.run_cmd(self.command("--events", fifo), timeout=self.TIMEOUT)

        self.assert_one_error(status, err, "events file", "FIFO that no process reads")

    def test_console_fifo_without_a_reader_is_refused_before_the_launch(self):
        fifo = self.fifo()
        events = os.path.join(self.dir, "events.jsonl")

        status, _, err = self.run_cmd(self.command("--console", f"file:{fifo}", "--events",
                                                   events), timeout=self.TIMEOUT)

        self.assert_one_error(status, err, "console file", "FIFO that no process reads")
        # Refused while the images were opened: nothing was measured or created.
        self.assertEqual([e["event"] for e in self.events(events)],
                         ["launch-started", "launch-progress", "guest-exit"])

    def test_events_fifo_with_a_reader_gets_every_event(self):
        fifo = self.fifo()
        got = []

        def read_all():
            with open(fifo, "rb") as f:
                got.append(f.read())

        reader = threading.Thread(target=read_all)
        reader.start()
        try:
            status, _, err = self.run_cmd(self.command("--events", fifo), timeout=self.TIMEOUT)
        finally:
            if reader.is_alive():
                open(fifo, "wb").close()  # release a reader still waiting for a writer
            reader.join()
        self.assertEqual(status, 0, err)
        evs = strict_events(got[0])
        self.assertEqual(evs[-1]["event"], "guest-exit")
        self.assertEqual(evs[-1]["reason"], "poweroff")


class EventsTest(Reliability):
    def test_guest_exit_is_written_when_the_backend_cannot_be_opened(self):
        events = os.path.join(self.dir, "events.jsonl")
        cases = {
            "no KVM device": [os.environ["SNPVMM"], "--no-snp", "--kernel", self.guest,
                              "--kvm-device", os.path.join(self.dir, "absent")],
            "no guest script": self.command("--sim-guest", os.path.join(self.dir, "absent")),
        }
        for name, cmd in cases.items():
            with self.subTest(name):
                status, _, err = self.run_cmd(cmd + ["--events", events])

                self.assert_one_error(status, err, "absent")
                evs = self.events(events)
                self.assertEqual([e["event"] for e in evs], ["guest-exit"])
                self.assertEqual((evs[0]["reason"], evs[0]["status"]), ("vmm-error", 1))
                self.assertIn("absent", evs[0]["detail"])

    def test_events_are_utf8_json_whatever_bytes_a_path_holds(self):
        # Bytes that are not UTF-8 (a lone 0xff, an overlong '/', a UTF-16 surrogate, a
        # cut sequence), control characters, a quote and a backslash in the kernel's
        # path: its error names the path, and the event must still be strict JSON.
        name = b"k\xff\xc0\xaf\xed\xa0\x80\x01\x1b\x7f\"\\\xc3\xa9\xe2\x82"
        kernel = os.path.join(os.fsencode(self.dir), name)
        events = os.path.join(self.dir, "events.jsonl")
        cmd = [os.fsencode(a) for a in self.command("--events", events)]
        cmd[cmd.index(b"--kernel") + 1] = kernel

        status, _, err = self.run_cmd(cmd)

        evs = self.events(events)
        self.assertEqual(status, 1, err)
        self.assertEqual(evs[-1]["event"], "guest-exit")
        self.assertIn("k\ufffd\ufffd\ufffd\ufffd\ufffd\ufffd\x01\x1b\x7f\"\\\u00e9\ufffd",
                      evs[-1]["detail"])


class UsageTest(Reliability):
    def test_bad_simulator_flags_are_usage_errors(self):
        # Exit status 2 is "bad usage" (--help): a profile, setting or fault the
        # simulator does not know is a wrong flag like any other, found before any file
        # is opened.
        cases = {
            "unknown profile": ["--sim=bogus"],
            "unknown fault": ["--sim=upstream", "--sim-faults", "bogus"],
            "fault without its count": ["--sim=upstream", "--sim-faults", "run-eintr"],
            "fail-call with an unknown errno": ["--sim=upstream", "--sim-faults",
                                                "fail-call=3:EWHAT"],
            "unknown setting": ["--sim=upstream", "--sim-set", "bogus=1"],
            "bad setting value": ["--sim=upstream", "--sim-set", "max_vcpus=lots"],
        }
        for name, flags in cases.items():
            with self.subTest(name):
                status, _, err = self.run_cmd([os.environ["SNPVMM"], *flags, "--kernel",
                                               self.guest])
                self.assert_one_error(status, err, expect_status=2)

    def test_host_info_with_an_unknown_profile_is_a_usage_error(self):
        status, out, err = self.run_cmd([os.environ["SNPVMM"], "host-info", "--sim=bogus"])

        self.assert_one_error(status, err, "bogus", expect_status=2)
        self.assertEqual(out, b"")


class ImageSizeTest(Reliability):
    HUGE = 1 << 30  # sparse: costs no disk, but 1 GiB of memory if it is read
    RSS_LIMIT_KIB = 256 << 10  # far above a refused launch, far below one read image

    def sparse(self, name, size):
        path = os.path.join(self.dir, name)
        with open(path, "wb") as f:
            f.truncate(size)
        return path

    def run_measuring_rss(self, cmd):
        """Runs cmd; returns (status, stderr, the child's peak resident set in KiB)."""
        p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE)
        err = p.stderr.read().decode(errors="replace")
        p.stderr.close()
        _, status, usage = os.wait4(p.pid, 0)
        p.returncode = os.waitstatus_to_exitcode(status)
        return p.returncode, err, usage.ru_maxrss

    def test_images_larger_than_guest_ram_are_refused_before_they_are_read(self):
        # A 2 GiB initrd with --mem 16M used to be read whole (2.1 GB resident, 21 s)
        # before "does not fit"; every image's size is now checked against the RAM
        # layout from fstat, in the one place images are opened, for the launch and for
        # `snpvmm measure` alike.
        huge = self.sparse("huge.img", self.HUGE)
        launch = self.command("--mem", "16M")
        measure = [os.environ["SNPVMM"], "measure", "--kernel", self.guest, "--mem", "16M",
                   "--sev-features", "none"]
        cases = {
            "launch initrd": (launch + ["--initrd", huge], "initrd"),
            "launch kernel": ([a if a != self.guest else huge for a in launch], "kernel"),
            "launch setup_data": (launch + ["--setup-data", f"5,{huge}"], "setup_data file"),
            "measure initrd": (measure + ["--initrd", huge], "initrd"),
            "measure kernel": ([a if a != self.guest else huge for a in measure], "kernel"),
        }
        for name, (cmd, what) in cases.items():
            with self.subTest(name):
                status, err, rss_kib = self.run_measuring_rss(cmd)

                self.assert_one_error(status, err, f"{what} '{huge}' ({self.HUGE} bytes) "
                                      "does not fit")
                self.assertLess(rss_kib, self.RSS_LIMIT_KIB)

    def test_empty_kernel_is_named(self):
        empty = self.write("empty.bin", b"")

        status, _, err = self.run_cmd([a if a != self.guest else empty
                                       for a in self.command()])

        self.assert_one_error(status, err, f"kernel '{empty}' is empty")


if __name__ == "__main__":
    harness.main()
