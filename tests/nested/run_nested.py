#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""nested tier: boots Debian's own kernel under QEMU TCG as L1 (a real /dev/kvm from its
kvm_amd), then runs, with every snpvmm command executed in L1:
  - the kvm tier's tests (tests/kvm/test_boot.py, test_bad_input.py) unchanged;
  - the real Linux guest's tests (test_linux.py, test_stage.py, test_power_button.py);
  - libsnpvmm's 16 VMs in one process (test_lib.py: tests/lib/test_many_vms.c --kvm).
Arguments: test module names to run instead of all of them (for development).
Exits 77 only when QEMU cannot run here. See tests/nested/README.md."""
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

import harness
import nested

MODULES = ["test_boot", "test_bad_input", "test_linux", "test_stage", "test_power_button",
           "test_lib"]


def main():
    try:
        nested.qemu_binary()
    except nested.QemuUnavailable as e:
        print(f"SKIP: {e}", file=sys.stderr)
        return nested.SKIP
    workdir = os.environ["NESTED_WORKDIR"]
    os.makedirs(workdir, exist_ok=True)
    t0 = time.monotonic()
    try:
        kver, vmlinuz = nested.debian_kernel()
        nested.PAYLOAD_SHA256 = nested.build_initramfs(workdir, os.environ["SNPVMM"],
                                                       os.environ["TEST_GUEST"], kver,
                                                       os.environ["KVM_KEEPER"],
                                                       [os.environ["TEST_MANY_VMS"]])
    except (RuntimeError, subprocess.CalledProcessError) as e:
        print(f"nested: cannot build L1's initramfs: {e} (scripts/deps.sh installs what "
              "it needs)", file=sys.stderr)
        return 1
    print(f"nested: kernel {kver}, initramfs built in {time.monotonic() - t0:.1f} s",
          file=sys.stderr)
    share = tempfile.mkdtemp(prefix="scratch-", dir=workdir)
    l1 = nested.L1(workdir, share, vmlinuz)
    try:
        l1.start()
        print(f"nested: L1 booted in {l1.boot_seconds:.1f} s, /dev/kvm "
              f"{'present' if l1.kvm else 'ABSENT'}", file=sys.stderr)
        if not l1.kvm:
            print("nested: L1 has no /dev/kvm\n" + l1.console_tail(), file=sys.stderr)
            return 1
        harness.REMOTE = l1
        nested.L1_INSTANCE = l1
        tempfile.tempdir = share
        names = sys.argv[1:] or MODULES
        suite = unittest.defaultTestLoader.loadTestsFromNames(names)
        result = unittest.TextTestRunner(verbosity=2).run(suite)
    finally:
        l1.stop()
        shutil.rmtree(share, ignore_errors=True)
    if nested.EARLY_TRIPLE_FAULTS:
        print(f"nested: booted once more after an early L2 triple fault: "
              f"{', '.join(nested.EARLY_TRIPLE_FAULTS)}", file=sys.stderr)
    print(f"nested: {time.monotonic() - t0:.1f} s in all", file=sys.stderr)
    return 0 if result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
