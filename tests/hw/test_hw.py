#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""hw tier: real SEV-SNP launches on an AMD EPYC host. Exits 77 (skipped) where
`snpvmm host-info` does not say the host is ready.

What a maintainer runs on an SNP host (see docs/testing.md "hw"):
  meson test -C build --suite hw
  SNPVMM_HW_KERNEL=/boot/vmlinuz-6.x SNPVMM_HW_INITRD=attest-initrd.img \\
      meson test -C build --suite hw        # adds the Linux boot + attestation test
The attestation initrd's /init must print a line `SNPVMM-MEASUREMENT <96 hex>` read from
an SNP attestation report (e.g. with tools/snp-guest-report or snpguest) and power off.

The end-to-end attestation test builds its own initrd around tools/snp-guest-report and
verifies the report with `snpvmm verify` against AMD's roots:
  SNPVMM_HW_KERNEL=/boot/vmlinuz-6.x SNPVMM_HW_VCEK=vcek.der \
  SNPVMM_HW_SEV_GUEST_KO=/lib/modules/6.x/kernel/drivers/virt/coco/sev-guest/sev-guest.ko \
      meson test -C build --suite hw
(SNPVMM_HW_VCEK: this host's VCEK, e.g. from `snphost fetch vcek der DIR`; the module
only where the guest kernel has CONFIG_SEV_GUEST=m.)"""
import json
import os
import subprocess
import sys
import unittest

import harness
from harness import snpvmm
from report_initrd import report_initrd

status, out, _ = snpvmm("host-info", timeout=60)
if status != 0:
    print("SKIP: this host cannot launch SEV-SNP guests:\n" + out, file=sys.stderr)
    sys.exit(harness.SKIP)


class HardwareLaunch(harness.SnpvmmTest):
    def launch(self, *args, timeout=300):
        events = os.path.join(self.dir, "events.jsonl")
        status, out, err = snpvmm("--events", events, *args, timeout=timeout)
        with open(events) as f:
            evs = [json.loads(l) for l in f if l.startswith("{")]
        return status, out, err, evs

    def test_real_firmware_accepts_the_launch(self):
        """The PSP accepts our CPUID page, page types and VMSAs in both boot modes:
        LAUNCH_FINISH succeeds."""
        for boot in ("hashes", "content"):
            with self.subTest(boot=boot):
                status, _, err, evs = self.launch("--kernel", self.guest, "--mem", "256M",
                                                  "--smp", "2", "--sev-features", "none",
                                                  "--boot", boot)

                names = [e["event"] for e in evs]
                self.assertIn("measurement", names, err)
                self.assertIn("launch-finished", names, err)

    def test_stage_validates_ram_and_enters_the_kernel(self):
        """The boot stage on real hardware: GHCB registration, page-state changes,
        PVALIDATE of 4 GiB of RAM, the copy and the hash check all pass, and it enters the
        test guest. The test guest itself cannot run under SNP (its port I/O needs a #VC
        handler) and dies there; what matters is that the stage did not refuse."""
        status, _, err, evs = self.launch("--kernel", self.guest, "--mem", "4G",
                                          "--initrd", self.write("i", os.urandom(1 << 20)),
                                          "--sev-features", "none", "--boot", "hashes")

        self.assertNotIn("boot stage", err)
        self.assertNotEqual(evs[-1].get("reason"), "terminated", err)

    def test_stage_refuses_a_kernel_or_initrd_changed_in_the_staging_area(self):
        for what, code in (("kernel", 1), ("initrd", 2)):
            with self.subTest(what=what):
                status, _, err, evs = self.launch(
                    "--kernel", self.guest, "--mem", "512M", "--sev-features", "none",
                    "--initrd", self.write("i", os.urandom(1 << 20)),
                    "--debug-tamper-staging", what)

                self.assertEqual(status, 4, err)
                self.assertIn(f"reason set 11, code {code} (boot stage: the {what}", err)
                self.assertEqual(evs[-1]["reason"], "terminated")

    @unittest.skipUnless(os.environ.get("SNPVMM_HW_KERNEL") and
                         os.environ.get("SNPVMM_HW_INITRD"),
                         "set SNPVMM_HW_KERNEL and SNPVMM_HW_INITRD")
    def test_linux_boots_and_attests_the_predicted_measurement(self):
        kernel, initrd = os.environ["SNPVMM_HW_KERNEL"], os.environ["SNPVMM_HW_INITRD"]
        for boot in ("hashes", "content"):
            with self.subTest(boot=boot):
                args = ["--kernel", kernel, "--initrd", initrd, "--mem", "2G", "--smp", "2",
                        "--sev-features", "none", "--boot", boot,
                        "--append", "console=ttyS0 earlyprintk=serial"]
                predicted = snpvmm("measure", *args)[1].strip()

                status, out, err, evs = self.launch(*args, timeout=900)

                self.assertIn("Memory Encryption Features active: AMD SEV SEV-ES SEV-SNP",
                              out)
                self.assertIn(f"SNPVMM-MEASUREMENT {predicted}", out, err)
                self.assertEqual(
                    [e for e in evs if e["event"] == "measurement"][0]["measurement"],
                    predicted)

    @unittest.skipUnless(os.environ.get("SNPVMM_HW_KERNEL") and os.environ.get("SNPVMM_HW_VCEK")
                         and os.environ.get("SNP_GUEST_REPORT"),
                         "set SNPVMM_HW_KERNEL and SNPVMM_HW_VCEK (and build snp-guest-report)")
    def test_guest_report_verifies_against_amd_roots_and_the_prediction(self):
        """measure -> launch -> the guest's snp-guest-report -> snpvmm verify, on hardware:
        the PSP's report is signed by this chip's VCEK under AMD's roots and carries the
        predicted measurement, our policy and host data, and the nonce we passed."""
        nonce = os.urandom(64).hex()
        module = os.environ.get("SNPVMM_HW_SEV_GUEST_KO")
        initrd = self.write("report.cpio", report_initrd(os.environ["SNP_GUEST_REPORT"], module))
        init_args = (["--insmod", "/sev-guest.ko"] if module else []) + ["--report-data", nonce]
        args = ["--kernel", os.environ["SNPVMM_HW_KERNEL"], "--initrd", initrd, "--mem", "2G",
                "--smp", "2", "--sev-features", "none", "--policy", "0x30000",
                "--host-data", "5a" * 32,
                "--append", "console=ttyS0 -- " + " ".join(init_args)]

        status, out, err, evs = self.launch(*args, timeout=900)
        console = self.write("console.txt", out.encode())
        vstatus, vout, verr = snpvmm("verify", "--report", console, "--vcek",
                                     os.environ["SNPVMM_HW_VCEK"], "--expect-report-data",
                                     nonce, *args)

        self.assertIn("SNPVMM-ATTESTATION-REPORT-BEGIN", out, err)
        self.assertEqual(vstatus, 0, vout + verr)
        self.assertIn("(AMD's root)", vout)


if __name__ == "__main__":
    harness.main()
