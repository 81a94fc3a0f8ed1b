#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""tools/snp-guest-report where there is no SEV-SNP guest: it is a static program, its
usage errors exit 2 with one line, a missing or wrong device exits 1 with one line naming
it, and as the /init of the hw tier's initrd it runs in a real Linux guest under QEMU TCG
(no SNP there): the words after `--` reach it, it mounts devtmpfs, loads the sev-guest
module (which refuses a non-SNP guest), says the device is missing and powers off. (The
report path itself runs in the hw tier, tests/hw/test_hw.py; its MSG_REPORT_RSP parsing
and frame are unit-tested in test_report.)"""
import glob
import os
import shutil
import subprocess
import tempfile
import unittest

from report_initrd import report_initrd

TOOL = os.environ["SNP_GUEST_REPORT"]
QEMU = shutil.which("qemu-system-x86_64")
KERNELS = sorted(glob.glob("/boot/vmlinuz-*"))


def run(*args):
    p = subprocess.run([TOOL, *args], capture_output=True, timeout=30)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


class GuestReportCli(unittest.TestCase):
    def one_line(self, err, needle):
        lines = err.strip().splitlines()
        self.assertEqual(len(lines), 1, err)
        self.assertTrue(lines[0].startswith("snp-guest-report: "), lines[0])
        self.assertIn(needle, lines[0])

    def test_is_statically_linked(self):
        """No PT_INTERP program header: an initrd's /init needs no dynamic loader."""
        with open(TOOL, "rb") as f:
            elf = f.read(1 << 16)
        self.assertEqual(elf[:5], b"\x7fELF\x02")  # ELF64
        phoff = int.from_bytes(elf[0x20:0x28], "little")
        phentsize = int.from_bytes(elf[0x36:0x38], "little")
        phnum = int.from_bytes(elf[0x38:0x3a], "little")
        types = [int.from_bytes(elf[phoff + i * phentsize:phoff + i * phentsize + 4], "little")
                 for i in range(phnum)]
        self.assertTrue(types)
        self.assertNotIn(3, types)  # PT_INTERP

    def test_usage_errors_exit_2(self):
        for args, needle in ((["--report-data", "abc"], "--report-data"),
                             (["--report-data", "00" * 65], "--report-data"),
                             (["--vmpl", "4"], "--vmpl"), (["--device"], "needs a value"),
                             (["--frobnicate"], "unknown argument")):
            with self.subTest(args=args):
                status, out, err = run(*args)
                self.assertEqual(status, 2)
                self.one_line(err, needle)

    def test_missing_device_exits_1(self):
        status, out, err = run("--device", "/nonexistent/sev-guest")
        self.assertEqual(status, 1)
        self.assertEqual(out, "")
        self.one_line(err, "cannot open /nonexistent/sev-guest")

    def test_device_that_is_not_sev_guest_exits_1(self):
        with tempfile.NamedTemporaryFile() as f:
            status, out, err = run("--device", f.name, "--report-data", "00ff")
        self.assertEqual(status, 1)
        self.one_line(err, "SNP_GET_REPORT failed")

    @unittest.skipUnless(QEMU and KERNELS, "needs qemu-system-x86_64 and a /boot/vmlinuz-*")
    def test_runs_as_init_of_a_real_linux_guest(self):
        kernel = KERNELS[-1]
        version = os.path.basename(kernel)[len("vmlinuz-"):]
        module = (f"/lib/modules/{version}/kernel/drivers/virt/coco/sev-guest/"
                  "sev-guest.ko")
        module = module if os.path.exists(module) else None
        with tempfile.TemporaryDirectory() as d:
            initrd = os.path.join(d, "report.cpio")
            with open(initrd, "wb") as f:
                f.write(report_initrd(TOOL, module))
            p = subprocess.run(
                [QEMU, "-accel", "tcg", "-cpu", "max", "-m", "512", "-nographic",
                 "-no-reboot", "-kernel", kernel, "-initrd", initrd, "-append",
                 "console=ttyS0 quiet -- --insmod /sev-guest.ko --report-data 00112233"],
                stdin=subprocess.DEVNULL, capture_output=True, timeout=240)
        out = p.stdout.decode(errors="replace")

        self.assertEqual(p.returncode, 0, out)
        self.assertIn("snp-guest-report: cannot open /dev/sev-guest", out)
        self.assertIn("reboot: Power down", out)
        if module:
            self.assertIn("cannot load '/sev-guest.ko': No such device", out)

    def test_help_exits_0(self):
        status, out, err = run("--help")
        self.assertEqual(status, 0)
        self.assertIn("--report-data", out)


if __name__ == "__main__":
    unittest.main(verbosity=2)
