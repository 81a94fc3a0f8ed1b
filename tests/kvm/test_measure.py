#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`snpvmm measure` streams its inputs: the memory it needs does not grow with the images
(both boot modes of snpvmm's own layout, and the QEMU + OVMF layout), and what it predicts
does not depend on how the bytes were read."""
import os
import resource
import subprocess

import harness

MiB = 1 << 20
# What measure may use whatever the image size; far below the 256 MiB images here.
RSS_LIMIT_KIB = 96 * 1024
VECTORS = os.path.join(os.environ.get("SNPVMM_SOURCE_DIR", "."), "tests", "vectors")


def max_rss_kib(*args):
    """Runs snpvmm; returns (status, stdout, stderr, the peak RSS of every child so far).
    getrusage() gives the largest of all waited-for children: every snpvmm this file runs
    is meant to stay under the limit, so the maximum is the number to check."""
    p = subprocess.run([os.environ["SNPVMM"], *args], capture_output=True, timeout=300)
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return p.returncode, p.stdout.decode(), p.stderr.decode(), rss


class MeasureStreamsTest(harness.SnpvmmTest):
    def big(self, name, size, byte=b"\x5a"):
        """A file of size bytes that really occupies the page cache (not sparse)."""
        path = os.path.join(self.dir, name)
        with open(path, "wb") as f:
            chunk = byte * MiB
            for _ in range(size // MiB):
                f.write(chunk)
        return path

    def test_own_layout_memory_does_not_grow_with_the_initrd(self):
        initrd = self.big("initrd.img", 256 * MiB)
        for boot in ("hashes", "content"):
            with self.subTest(boot=boot):
                status, out, err, rss = max_rss_kib(
                    "measure", "--kernel", self.guest, "--initrd", initrd, "--mem", "512M",
                    "--sev-features", "none", "--boot", boot)

                self.assertEqual(status, 0, err)
                self.assertEqual(len(out.strip()), 96)
                self.assertLess(rss, RSS_LIMIT_KIB)

    def test_ovmf_layout_memory_does_not_grow_with_firmware_or_initrd(self):
        vec = os.path.join(VECTORS, "R1_amdsev_nokernel_1vcpu", "ovmf.bin")
        with open(vec, "rb") as f:
            tail = f.read()
        fw = self.big("ovmf.bin", 64 * MiB - len(tail), b"\0")
        with open(fw, "ab") as f:
            f.write(tail)
        initrd = self.big("initrd.img", 256 * MiB)

        status, out, err, rss = max_rss_kib(
            "measure", "--ovmf", fw, "--vcpus", "1", "--vcpu-type", "EPYC-v4",
            "--kernel", self.guest, "--initrd", initrd)

        self.assertEqual(status, 0, err)
        self.assertEqual(len(out.strip()), 96)
        self.assertLess(rss, RSS_LIMIT_KIB)

    def test_boot_modes_predict_different_digests_the_same_every_time(self):
        initrd = self.write("initrd.img", os.urandom(300000))
        digests = {}
        for boot in ("hashes", "content", "hashes"):
            status, out, err = harness.snpvmm("measure", "--kernel", self.guest, "--initrd",
                                              initrd, "--sev-features", "none",
                                              "--boot", boot)
            self.assertEqual(status, 0, err)
            digests.setdefault(boot, set()).add(out.strip())

        self.assertEqual(len(digests["hashes"]), 1)
        self.assertNotEqual(digests["hashes"], digests["content"])

    def test_measure_refuses_the_tamper_hook(self):
        status, _, err = harness.snpvmm("measure", "--kernel", self.guest, "--sev-features",
                                        "none", "--debug-tamper-staging", "kernel")

        self.assert_one_error_line(status, err, "--debug-tamper-staging", expect_status=2)


if __name__ == "__main__":
    harness.main()
