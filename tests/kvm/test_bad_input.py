#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Bad input to `snpvmm --no-snp`: each gets exactly one clear error line and a non-zero
exit status, never a crash or a hang. Flag errors need no KVM; file errors are found after
/dev/kvm is opened, so those tests need it too."""
import os
import shutil
import struct
import subprocess
import unittest

import harness
from harness import snpvmm

HAVE_KVM = harness.have_kvm()
need_kvm = unittest.skipUnless(HAVE_KVM, "needs /dev/kvm")
USAGE = 2


class FlagErrors(harness.SnpvmmTest):
    def run_flags(self, *args):
        return snpvmm("--no-snp", "--kernel", self.guest, *args)

    def test_mem_zero_is_a_usage_error(self):
        status, _, err = self.run_flags("--mem", "0")
        self.assert_one_error_line(status, err, "--mem", expect_status=USAGE)

    def test_mem_absurd_is_a_usage_error(self):
        status, _, err = self.run_flags("--mem", "64T")
        self.assert_one_error_line(status, err, "--mem", expect_status=USAGE)

    def test_mem_malformed_is_a_usage_error(self):
        status, _, err = self.run_flags("--mem", "lots")
        self.assert_one_error_line(status, err, "--mem 'lots'", expect_status=USAGE)

    def test_smp_zero_is_a_usage_error(self):
        status, _, err = self.run_flags("--smp", "0")
        self.assert_one_error_line(status, err, "--smp", expect_status=USAGE)

    def test_smp_too_many_is_a_usage_error(self):
        status, _, err = self.run_flags("--smp", "1000")
        self.assert_one_error_line(status, err, "--smp", expect_status=USAGE)

    def test_unknown_flag_is_a_usage_error(self):
        status, _, err = self.run_flags("--turbo")
        self.assert_one_error_line(status, err, "--turbo", expect_status=USAGE)

    def test_missing_kernel_flag_is_a_usage_error(self):
        status, _, err = snpvmm("--no-snp")
        self.assert_one_error_line(status, err, "--kernel", expect_status=USAGE)

    def test_help_prints_usage_and_exits_0(self):
        status, out, _ = snpvmm("--help")
        self.assertEqual(status, 0)
        self.assertIn("--memory-backend", out)
        self.assertIn("Exit status", out)

    def test_missing_kvm_device_is_named(self):
        status, _, err = self.run_flags("--kvm-device", os.path.join(self.dir, "nope"))
        self.assert_one_error_line(status, err, "no such device", expect_status=1)

    @unittest.skipUnless(HAVE_KVM and harness.REMOTE is None and os.geteuid() == 0
                         and shutil.which("setpriv"), "needs root, setpriv and a local /dev/kvm")
    def test_kvm_device_not_permitted_is_named(self):
        p = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                            os.environ["SNPVMM"], "--no-snp", "--kernel", "/nonexistent"],
                           capture_output=True, timeout=60)
        err = p.stderr.decode()
        if os.stat("/dev/kvm").st_mode & 0o006:
            self.skipTest("/dev/kvm is world-accessible here")
        self.assert_one_error_line(p.returncode, err, "permission denied", expect_status=1)


@need_kvm
class ImageErrors(harness.SnpvmmTest):
    def boot(self, kernel, *extra):
        return snpvmm("--no-snp", "--kernel", kernel, "--mem", "64M", *extra)

    def test_missing_kernel_file_is_named(self):
        path = os.path.join(self.dir, "missing")
        status, _, err = self.boot(path)
        self.assert_one_error_line(status, err, path, expect_status=1)

    def test_kernel_directory_is_rejected(self):
        status, _, err = self.boot(self.dir)
        self.assert_one_error_line(status, err, "not a regular file", expect_status=1)

    def test_missing_initrd_is_named(self):
        path = os.path.join(self.dir, "no-initrd")
        status, _, err = self.boot(self.guest, "--initrd", path)
        self.assert_one_error_line(status, err, "initrd", expect_status=1)

    def test_non_bzimage_is_rejected(self):
        path = self.write("text.bin", b"hello, I am not a kernel\n" * 400)
        status, _, err = self.boot(path)
        self.assert_one_error_line(status, err, "bzImage", expect_status=1)

    def test_empty_kernel_is_rejected(self):
        path = self.write("empty.bin", b"")
        status, _, err = self.boot(path)
        self.assert_one_error_line(status, err, expect_status=1)

    def test_truncated_bzimage_is_rejected(self):
        path = self.write("trunc.bin", self.guest_bytes()[:0x300])
        status, _, err = self.boot(path)
        self.assert_one_error_line(status, err, "truncated", expect_status=1)

    def test_bzimage_truncated_inside_its_payload_is_rejected(self):
        path = self.write("short.bin", self.guest_bytes()[:2000])
        status, _, err = self.boot(path)
        self.assert_one_error_line(status, err, "truncated", "syssize", expect_status=1)

    def test_old_boot_protocol_is_rejected(self):
        img = bytearray(self.guest_bytes())
        struct.pack_into("<H", img, 0x206, 0x0206)
        path = self.write("old.bin", bytes(img))
        status, _, err = self.boot(path)
        self.assert_one_error_line(status, err, "2.06", expect_status=1)

    def test_kernel_without_64bit_entry_is_rejected(self):
        img = bytearray(self.guest_bytes())
        struct.pack_into("<H", img, 0x236, 0)
        path = self.write("no64.bin", bytes(img))
        status, _, err = self.boot(path)
        self.assert_one_error_line(status, err, "64-bit", expect_status=1)

    def test_initrd_larger_than_ram_is_rejected(self):
        path = os.path.join(self.dir, "huge.img")
        with open(path, "wb") as f:
            f.truncate(128 << 20)  # sparse: costs no disk
        status, _, err = self.boot(self.guest, "--initrd", path)
        self.assert_one_error_line(status, err, "initrd", expect_status=1)

    def test_cmdline_longer_than_a_page_is_rejected(self):
        status, _, err = self.boot(self.guest, "--append", "x" * 5000)
        self.assert_one_error_line(status, err, "command line", expect_status=1)

    def test_missing_setup_data_file_is_named(self):
        path = os.path.join(self.dir, "nodata")
        status, _, err = self.boot(self.guest, "--setup-data", f"0x10,{path}")
        self.assert_one_error_line(status, err, path, expect_status=1)


if __name__ == "__main__":
    harness.main()
