#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""sim tier, issue 13: a fault injected into every call the launch makes into the kernel
seam, for every simulated profile (one test per profile, tests/sim/sim_matrix.py; a
profile today's VMM cannot launch on is that cell's expected failure). Each launch step is failed in turn (--sim-faults
fail-call=N:ERRNO) until the failed call is the first KVM_RUN. Every run must either
recover (exit 0, the guest script passes) or end with exactly one line naming what
failed and exit status 1; the last event is guest-exit with that status; when the
backend is destroyed the VMM holds no fd but its events file (the simulated host lists
them in its report); and a sanitized build reports no leak or error (LeakSanitizer runs
at exit). A run that does not end within the timeout fails too.

SNPVMM_SWEEP_ERRNOS (default "ENOMEM EIO") and SNPVMM_SWEEP_PROFILES override what is
swept, for long runs."""
import errno
import json
import os
import subprocess

import harness
from sim_matrix import PROFILES as ALL_PROFILES, expand, on

MEM = "64M"
# Under ThreadSanitizer (about ten times slower) a smaller sweep: the launch steps are
# single-threaded, the TSan build is there for the vCPU threads that run after them.
_TSAN = "thread" in os.environ.get("SNPVMM_SANITIZE", "")
PROFILES = os.environ.get("SNPVMM_SWEEP_PROFILES",
                          "6.18 7.0" if _TSAN else " ".join(ALL_PROFILES)).split()
ERRNOS = os.environ.get("SNPVMM_SWEEP_ERRNOS", "ENOMEM" if _TSAN else "ENOMEM EIO").split()
TIMEOUT = 120  # seconds per run; a run takes well under one
MAX_CALLS = 400  # far more than a launch makes; a sweep reaching it is a failure


@expand
class FaultSweep(harness.SnpvmmTest):
    def run_one(self, profile, call=None, err=None):
        report = os.path.join(self.dir, f"report-{call}.json")
        events = os.path.join(self.dir, f"events-{call}.jsonl")
        certs = []
        if profile == "7.0":  # the kernel with the certificate exit
            certs = ["--certs", self.write("certs.bin", b"\0" * 24)]
        faults = ["--sim-faults", f"fail-call={call}:{err}"] if call else []
        cmd = [os.environ["SNPVMM"], f"--sim={profile}", "--kernel", self.guest, "--mem", MEM,
               "--smp", "2", "--initrd", self.write("initrd.img", b"sweep " * 500),
               "--sim-report", report, "--events", events, *faults, *certs]
        p = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, timeout=TIMEOUT)
        err_text = p.stderr.decode(errors="replace")
        with open(report) as f:
            rep = json.load(f)
        with open(events, "rb") as f:
            evs = [json.loads(l) for l in f.read().decode("utf-8").splitlines()]
        return p.returncode, err_text, rep, evs, events

    def check_run(self, profile, call, err):
        status, text, rep, evs, events = self.run_one(profile, call, err)
        where = f"{profile} fail-call={call}:{err}: "
        self.assertNotIn("Sanitizer", text, where + text)
        self.assertNotIn("runtime error", text, where + text)
        self.assertIn(status, (0, 1), where + text)
        lines = [l for l in text.splitlines() if l.strip() and "SIMULATED" not in l
                 and "launch measurement" not in l and "warning:" not in l]
        if status == 0:
            self.assertEqual(lines, [], where + text)
            self.assertEqual(rep["guest_script"], "passed", where)
        else:
            self.assertEqual(len(lines), 1, where + text)
            self.assertTrue(lines[0].startswith("snpvmm: "), where + lines[0])
            # A line that names what failed, not a bare strerror().
            self.assertNotEqual(lines[0], "snpvmm: " + os.strerror(getattr(errno, err)),
                                where + lines[0])
        self.assertEqual(evs[-1]["event"], "guest-exit", where)
        self.assertEqual(evs[-1]["status"], status, where)
        self.assertEqual(rep["vmm_fds_at_destroy"], [events], where)
        self.assertEqual(len(rep["injected_faults"]), 1, where + str(rep["injected_faults"]))
        return rep["injected_faults"][0]["op"], status

    @on(*PROFILES)
    def test_every_launch_step_fails_cleanly(self, profile):
        # Without a fault the launch passes (on a kernel of KNOWN_VMM_DEFECTS it does not,
        # and the whole sweep is that cell's expected failure).
        status, text, rep, _, _ = self.run_one(profile)
        self.assertEqual(status, 0, text)
        self.assertEqual(rep["guest_script"], "passed")
        totals = {"runs": 0, "recovered": 0}
        for err in ERRNOS:
            for call in range(1, MAX_CALLS + 1):
                with self.subTest(errno=err, call=call):
                    op, status = self.check_run(profile, call, err)
                totals["runs"] += 1
                totals["recovered"] += status == 0
                if op == "KVM_RUN":
                    break
            else:
                self.fail(f"{profile}: no KVM_RUN within {MAX_CALLS} calls")
        print(f"fault sweep {profile}: {totals['runs']} faults injected, "
              f"{totals['recovered']} recovered, {totals['runs'] - totals['recovered']} "
              "refused with one line")


if __name__ == "__main__":
    harness.main()
