#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""cli suite: scripts/run.sh (the README's run command) on a host without KVM launches
the test guest on the simulated SEV-SNP host and prints the simulated PSP's measurement
next to the `snpvmm measure` prediction. SNPVMM_KVM_DEVICE points it at a path that does
not exist, so this runs the same wherever /dev/kvm is or is not."""
import os
import re
import subprocess

import harness

SOURCE_DIR = os.environ["SNPVMM_SOURCE_DIR"]
BUILD_DIR = os.path.dirname(os.environ["SNPVMM"])


class RunScriptWithoutKvm(harness.SnpvmmTest):
    def run_script(self):
        env = dict(os.environ, SNPVMM_BUILD_DIR=BUILD_DIR,
                   SNPVMM_KVM_DEVICE=os.path.join(self.dir, "no-kvm"), TMPDIR=self.dir)
        p = subprocess.run([os.path.join(SOURCE_DIR, "scripts", "run.sh")], env=env,
                           stdin=subprocess.DEVNULL, capture_output=True, timeout=300)
        return p.returncode, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")

    def test_says_once_that_kvm_is_absent_then_boots_on_the_simulated_host(self):
        status, out, err = self.run_script()

        self.assertEqual(status, 0, err)
        self.assertEqual(len([l for l in err.splitlines() if "absent" in l]), 1, err)
        self.assertTrue(err.startswith("== "), err)
        self.assertIn("absent", err.splitlines()[0])
        self.assertIn("sim-guest: all checks passed", out)
        self.assertNotIn("Sanitizer", err)

    def test_prints_the_measurement_and_the_matching_prediction(self):
        status, _, err = self.run_script()

        simulated = re.search(r"^== the simulated PSP measured: ([0-9a-f]{96})$", err, re.M)
        predicted = re.search(r"^== snpvmm measure predicted: +([0-9a-f]{96})$", err, re.M)
        self.assertEqual(status, 0, err)
        self.assertIsNotNone(simulated, err)
        self.assertIsNotNone(predicted, err)
        self.assertEqual(simulated.group(1), predicted.group(1))
        self.assertIn(f"SEV-SNP launch measurement {simulated.group(1)}", err)


if __name__ == "__main__":
    harness.main()
