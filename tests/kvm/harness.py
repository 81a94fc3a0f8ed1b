# SPDX-License-Identifier: MIT
"""Shared helpers for the tests that run the real snpvmm binary.

The binary, the test guest and a scratch directory come from the environment meson
sets (SNPVMM, TEST_GUEST, and TMPDIR-based scratch dirs).

The nested tier (tests/nested) runs these same tests with every snpvmm command executed
inside an L1 VM that has a real /dev/kvm: it sets REMOTE to its L1 (an object with
`kvm`, whether L1 has /dev/kvm, `release`, L1's `uname -r`, and `run(argv, timeout)`,
returning (status, stdout bytes, stderr bytes) like subprocess.run), and points tempfile
at a directory L1 sees at the same path."""
import os
import re
import subprocess
import sys
import tempfile
import unittest

SKIP = 77
MASK64 = (1 << 64) - 1


REMOTE = None


def have_kvm() -> bool:
    """Whether the machine snpvmm runs on (this one, or the nested tier's L1) has a
    usable /dev/kvm."""
    if REMOTE is not None:
        return REMOTE.kvm
    return os.access("/dev/kvm", os.R_OK | os.W_OK)


def kernel_release() -> str:
    """`uname -r` of the kernel snpvmm runs on (this one, or the nested tier's L1)."""
    if REMOTE is not None:
        return REMOTE.release
    return os.uname().release


def kernel_can_mmap_guest_memfd() -> bool:
    """Whether that kernel has an mmap-able guest_memfd for plain VMs:
    KVM_CAP_GUEST_MEMFD_FLAGS with GUEST_MEMFD_FLAG_MMAP | INIT_SHARED came with Linux 6.18
    (Documentation/virt/kvm/api.rst 4.141 KVM_CREATE_GUEST_MEMFD)."""
    m = re.match(r"(\d+)\.(\d+)", kernel_release())
    return bool(m) and (int(m.group(1)), int(m.group(2))) >= (6, 18)


def need_kvm():
    """Exit with meson's SKIP status when this machine has no usable /dev/kvm."""
    if not have_kvm():
        print("SKIP: /dev/kvm is absent or not accessible", file=sys.stderr)
        sys.exit(SKIP)


def guest_sum(data: bytes) -> int:
    """The test guest's checksum (tests/guest/README.md): h = rotl64(h, 5) ^ word over
    little-endian 8-byte words, the last one zero-padded."""
    h = 0
    padded = data + b"\0" * (-len(data) % 8)
    for i in range(0, len(padded), 8):
        w = int.from_bytes(padded[i:i + 8], "little")
        h = (((h << 5) | (h >> 59)) & MASK64) ^ w
    return h


def snpvmm(*args, timeout=120, stdin=subprocess.DEVNULL):
    """Runs snpvmm; returns (exit status, stdout text, stderr text)."""
    argv = [os.environ["SNPVMM"], *args]
    if REMOTE is not None:
        if stdin is not subprocess.DEVNULL:
            raise ValueError("a command run in the nested tier's L1 reads /dev/null")
        status, out, err = REMOTE.run(argv, timeout=timeout)
    else:
        p = subprocess.run(argv, stdin=stdin, capture_output=True, timeout=timeout)
        status, out, err = p.returncode, p.stdout, p.stderr
    return status, out.decode(errors="replace"), err.decode(errors="replace")


def parse_report(out: str) -> dict:
    """Parses the test guest's report into a dict (see tests/guest/README.md)."""
    rep = {"e820": [], "setup_data": [], "lines": out.splitlines()}
    for line in out.splitlines():
        if line.startswith("cmdline: ") or line == "cmdline:":
            rep["cmdline"] = line[len("cmdline: "):]
        elif line.startswith("protocol: "):
            rep["protocol"] = int(line.split()[1], 16)
        elif line.startswith("boot_params: "):
            rep["boot_params"] = int(line.split()[1], 16)
        elif m := re.fullmatch(r"e820: (\d+)", line):
            rep["e820_count"] = int(m.group(1))
        elif m := re.fullmatch(r"e820: 0x([0-9a-f]{16}) 0x([0-9a-f]{16}) (\d+)", line):
            rep["e820"].append((int(m.group(1), 16), int(m.group(2), 16), int(m.group(3))))
        elif m := re.fullmatch(r"initrd: 0x([0-9a-f]{16}) 0x([0-9a-f]{16}) sum=0x([0-9a-f]{16})",
                               line):
            rep["initrd"] = tuple(int(g, 16) for g in m.groups())
        elif m := re.fullmatch(r"setup_data: 0x([0-9a-f]{16}) type=0x([0-9a-f]{8}) "
                               r"len=0x([0-9a-f]{8}) sum=0x([0-9a-f]{16})", line):
            rep["setup_data"].append(tuple(int(g, 16) for g in m.groups()))
        elif m := re.fullmatch(r"acpi: rsdp=0x([0-9a-f]{16}) cpus=(\d+)", line):
            rep["rsdp"] = int(m.group(1), 16)
            rep["cpus"] = int(m.group(2))
    rep["started"] = "snpvmm-test-guest: start" in rep["lines"]
    rep["done"] = "snpvmm-test-guest: done" in rep["lines"]
    return rep


class SnpvmmTest(unittest.TestCase):
    """Base class: a scratch directory and the test guest's path."""

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="snpvmm-test-")
        self.dir = self.tmp.name
        self.guest = os.environ["TEST_GUEST"]

    def tearDown(self):
        self.tmp.cleanup()

    def write(self, name: str, data: bytes) -> str:
        path = os.path.join(self.dir, name)
        with open(path, "wb") as f:
            f.write(data)
        return path

    def guest_bytes(self) -> bytes:
        with open(self.guest, "rb") as f:
            return f.read()

    def assert_one_error_line(self, status, err, *needles, expect_status=None):
        """A failure must say what is wrong in exactly one line and exit non-zero."""
        lines = [l for l in err.splitlines() if l.strip()]
        self.assertNotEqual(status, 0, err)
        if expect_status is not None:
            self.assertEqual(status, expect_status, err)
        self.assertEqual(len(lines), 1, f"expected one error line, got: {err!r}")
        self.assertTrue(lines[0].startswith("snpvmm"), lines[0])
        for n in needles:
            self.assertIn(n, lines[0])
        self.assertNotIn("Sanitizer", err)


def main():
    unittest.main(verbosity=2)
