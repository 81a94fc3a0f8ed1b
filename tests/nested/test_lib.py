#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""nested tier, issue 12: libsnpvmm under load on a real KVM. tests/lib/test_many_vms.c
--kvm runs in L1: one process starts 16 plain (--no-snp) VMs through the shared library on
L1's /dev/kvm (kvm_amd), each with 2 vCPUs and 48 MiB, the test guest told "idle"; once
every guest has reported, it stops them in random order, forced or through the power
button (which the test guest ignores: forced at the 200 ms deadline), and checks that
each ended "stopped" with guest-exit as its last event, and that the process's fds,
threads, guest RAM and kvm_run mappings are what they were before. The lib
tier's lib_many_vms runs the same code on the simulated host. Run by run_nested.py."""
import os
import re
import unittest

import harness
import nested


class SixteenVmsInOneProcess(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        argv = [os.environ["TEST_MANY_VMS"], "--kvm", os.environ["TEST_GUEST"]]
        cls.status, out, err = nested.L1_INSTANCE.run(argv, timeout=600)
        cls.out = out.decode(errors="replace")
        cls.err = err.decode(errors="replace")

    def counts(self, when):
        m = re.search(r"many_vms: (\d+) fds, (\d+) threads, (\d+) MiB guest RAM, (\d+) "
                      r"kvm_run mappings " + when, self.out)
        self.assertTrue(m, f"no '{when}' line\n{self.out}{self.err}")
        return tuple(int(x) for x in m.groups())

    def test_it_passes_on_the_real_kvm(self):
        self.assertIn("many_vms on /dev/kvm", self.out)
        self.assertEqual(self.status, 0, self.out + self.err)
        self.assertEqual(self.out.splitlines()[-1], "ok")

    def test_all_16_guests_reported_before_the_stops(self):
        self.assertIn("16 of 16 guests done", self.out, self.out + self.err)

    def test_16_vms_ran_at_once(self):
        fds, threads, ram_mib, kvm_runs = self.counts("while running")
        fds0, threads0, ram_mib0, kvm_runs0 = self.counts("before")
        self.assertEqual(kvm_runs - kvm_runs0, 16 * 2)  # a kvm_run area per vCPU
        self.assertGreaterEqual(ram_mib - ram_mib0, 16 * 48)
        self.assertGreater(threads - threads0, 16 * 2)  # two vCPU threads each, at least
        self.assertGreater(fds - fds0, 16 * 3)  # the VM and two vCPUs each, at least

    def test_nothing_is_left_after_the_stops(self):
        self.assertEqual(self.counts("after"), self.counts("before"), self.out)


if __name__ == "__main__":
    harness.main()
