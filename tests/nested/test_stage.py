#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""nested tier: the boot stage (boot mode hashes, docs/snp-launch.md) on L1's real KVM,
without SNP: it copies the kernel and the initrd from the staging area to their places,
checks their SHA-384 and enters the kernel, or refuses with its reason code.

- Debian's own kernel with Debian's own initrd (initramfs-tools, ~30 MiB) boots through
  the stage to userspace: the initrd's /init runs and, told `break=top` with `panic=1`,
  says so and reboots (initramfs-tools' panic() with a panic= argument);
- the same kernel and initrd, and the test guest, changed in the staging area after
  snpvmm hashed them (`--debug-tamper-staging`) are refused: exit status 4, one line
  with the stage's reason set 11 and code 1 (kernel) or 2 (initrd), the guest-exit event
  says "terminated";
- the test guest finds the same boot_params in both boot modes.
Run by run_nested.py."""
import glob
import json
import os
import shutil
import tempfile
import unittest

import harness
import nested
from harness import parse_report, snpvmm

L2_KERNEL = "/l2/vmlinuz"
STAGE_SET = 11


def debian_initrd():
    """Debian's own initramfs-tools image of the kernel the nested tier boots."""
    found = sorted(glob.glob("/boot/initrd.img-*"))
    return found[-1] if found else None


class StageTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="stage-")
        cls.guest = os.environ["TEST_GUEST"]
        src = debian_initrd()
        cls.initrd = None
        if src:
            # Into the scratch share, which L1 sees at the same path.
            cls.initrd = os.path.join(cls.dir, "debian-initrd.img")
            shutil.copyfile(src, cls.initrd)
        cls.small_initrd = os.path.join(cls.dir, "small-initrd.img")
        with open(cls.small_initrd, "wb") as f:
            f.write(os.urandom(100000))

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    def run_vmm(self, *args, timeout=600):
        for attempt in (1, 2):
            status, out, err, evs = self._run_vmm_once(*args, timeout=timeout)
            if attempt == 2 or not nested.early_triple_fault(
                    f"test_stage {self.id().rsplit('.', 1)[-1]}", evs, out):
                return status, out, err, evs

    def _run_vmm_once(self, *args, timeout):
        events = os.path.join(self.dir, f"events-{self.id().rsplit('.', 1)[-1]}.jsonl")
        status, out, err = snpvmm("--no-snp", "--console", "stdio", "--events", events,
                                  *args, timeout=timeout)
        self.assertTrue(os.path.exists(events), f"status {status}: {err}")
        with open(events) as f:
            evs = [json.loads(l) for l in f if l.strip()]
        os.unlink(events)
        return status, out, err, evs

    def assert_refused(self, status, err, evs, code, what):
        lines = [l for l in err.splitlines() if l.strip()]
        self.assertEqual(status, 4, err)
        self.assertEqual(len(lines), 1, err)
        self.assertIn(f"reason set {STAGE_SET}, code {code} (boot stage: the {what} in the "
                      "staging area does not match its measured hash)", lines[0])
        self.assertEqual(evs[-1]["event"], "guest-exit")
        self.assertEqual(evs[-1]["reason"], "terminated")
        self.assertEqual(evs[-1]["status"], 4)

    # ---- the test guest ----

    def test_test_guest_sees_the_same_boot_params_in_both_boot_modes(self):
        reports = {}
        for boot in ("hashes", "content"):
            status, out, err, _ = self.run_vmm("--boot", boot, "--kernel", self.guest,
                                               "--initrd", self.small_initrd, "--append",
                                               "a b c", "--mem", "256M", timeout=300)
            self.assertEqual(status, 0, err)
            rep = parse_report(out)
            self.assertTrue(rep["done"], out)
            reports[boot] = {k: rep.get(k) for k in ("boot_params", "cmdline", "e820",
                                                     "initrd", "rsdp", "cpus")}
        self.assertEqual(reports["hashes"], reports["content"])

    def test_test_guest_kernel_changed_in_staging_is_refused(self):
        status, out, err, evs = self.run_vmm("--kernel", self.guest, "--initrd",
                                             self.small_initrd, "--mem", "256M",
                                             "--debug-tamper-staging", "kernel", timeout=300)

        self.assert_refused(status, err, evs, 1, "kernel")
        self.assertNotIn("snpvmm-test-guest: start", out)

    def test_test_guest_initrd_changed_in_staging_is_refused(self):
        status, out, err, evs = self.run_vmm("--kernel", self.guest, "--initrd",
                                             self.small_initrd, "--mem", "256M",
                                             "--debug-tamper-staging", "initrd", timeout=300)

        self.assert_refused(status, err, evs, 2, "initrd")
        self.assertNotIn("snpvmm-test-guest: start", out)

    # ---- Debian's kernel and initrd ----

    def linux(self, *extra):
        if not self.initrd:
            self.skipTest("no /boot/initrd.img-* (Debian's linux-image-amd64 makes one)")
        return self.run_vmm("--kernel", L2_KERNEL, "--initrd", self.initrd, "--append",
                            "console=ttyS0 panic=1 break=top", "--mem", "1G", "--smp", "2",
                            *extra)

    def test_debian_kernel_and_initrd_boot_through_the_stage_to_userspace(self):
        status, out, err, evs = self.linux()
        # On failure: how snpvmm ended, not only where the console stopped.
        why = f"status {status}, stderr {err!r}, last event {evs[-1] if evs else None}\n{out[-3000:]}"

        # initramfs-tools' /init (a shell script: userspace) honours break=top, then, with
        # a panic= argument, reboots instead of starting a shell.
        self.assertIn("Spawning shell within the initramfs", out, why)
        self.assertIn("Rebooting automatically due to panic= boot argument", out)
        self.assertEqual(status, 0, err)
        self.assertEqual(evs[-1]["reason"], "reset")

    def test_debian_kernel_changed_in_staging_is_refused(self):
        status, out, err, evs = self.linux("--debug-tamper-staging", "kernel")

        self.assert_refused(status, err, evs, 1, "kernel")
        self.assertNotIn("Linux version", out)

    def test_debian_initrd_changed_in_staging_is_refused(self):
        status, out, err, evs = self.linux("--debug-tamper-staging", "initrd")

        self.assert_refused(status, err, evs, 2, "initrd")
        self.assertNotIn("Linux version", out)


if __name__ == "__main__":
    harness.main()
