#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""sim tier, issue 13: reliability of the real snpvmm binary against the simulated SNP host.
Each test names a failure an attack run found (a lost vCPU kick, file descriptors a guest
could write into, unbounded reads, ...) and proves it cannot happen again."""
import os
import subprocess

import harness

MEM = "64M"


class Reliability(harness.SnpvmmTest):
    def command(self, *args, profile="upstream", script=None, mem=MEM):
        cmd = [os.environ["SNPVMM"], f"--sim={profile}", "--kernel", self.guest, "--mem", mem]
        if script is not None:
            cmd += ["--sim-guest", self.write("script.txt", script.encode())]
        return cmd + list(args)


class StopRaceTest(Reliability):
    RUNS = 100
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


if __name__ == "__main__":
    harness.main()
