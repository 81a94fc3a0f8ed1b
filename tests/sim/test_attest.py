#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""sim tier, attestation: the whole loop measure -> launch -> report -> verify against the
simulated SNP host, whose PSP signs binary ATTESTATION_REPORTs with a simulated VCEK.

The test makes its own ARK -> ASK -> VCEK chain with the openssl command line at test
time (RSA-PSS/SHA-384 like AMD's; the VCEK's AMD extensions written by openssl from the
simulated chip's documented identity, docs/sim.md "Attestation"), so nothing here is or
pretends to be an AMD key. The guest prints its report on the console in the frame
tools/snp-guest-report uses; the test hands the console output to `snpvmm verify`.
A launch with another kernel, policy or host data must fail with exactly that check."""
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

import harness
from harness import snpvmm
from sim_matrix import expand, on

if not shutil.which("openssl"):
    print("SKIP: needs the openssl command line", file=sys.stderr)
    sys.exit(harness.SKIP)

# The simulated chip (src/sim/sim_attest.c, docs/sim.md "Attestation").
CHIP_ID = hashlib.sha512(b"snpvmm simulated chip").digest()
TCB = {"bl": 3, "tee": 0, "snp": 8, "ucode": 115}
PSS = ["-sha384", "-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:48"]


def openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def make_chain(d):
    """ARK (self-signed) -> ASK -> VCEK in directory d. Returns the file names."""
    with open(os.path.join(d, "ca.ext"), "w") as f:
        f.write("basicConstraints=critical,CA:true\nkeyUsage=critical,keyCertSign,cRLSign\n")
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ark.key", "-out",
            "ark.pem", "-subj", "/O=snpvmm test chain, NOT AMD/CN=ARK-Milan", "-days", "3650",
            "-addext", "basicConstraints=critical,CA:true", "-addext",
            "keyUsage=critical,keyCertSign,cRLSign", *PSS, cwd=d)
    openssl("req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", "ask.key", "-out",
            "ask.csr", "-subj", "/O=snpvmm test chain, NOT AMD/CN=SEV-Milan", cwd=d)
    openssl("x509", "-req", "-in", "ask.csr", "-CA", "ark.pem", "-CAkey", "ark.key",
            "-set_serial", "2", "-days", "3650", "-extfile", "ca.ext", "-out", "ask.pem",
            *PSS, cwd=d)
    openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384", "-out",
            "vcek.key", cwd=d)
    with open(os.path.join(d, "chain.pem"), "wb") as out:
        for name in ("ask.pem", "ark.pem"):
            with open(os.path.join(d, name), "rb") as f:
                out.write(f.read())
    return issue_vcek(d, "vcek.pem")


def issue_vcek(d, name, tcb=TCB, chip_id=CHIP_ID, key="vcek.key"):
    """A VCEK certificate for key under the test ASK, with AMD's extensions."""
    ext = os.path.join(d, name + ".ext")
    with open(ext, "w") as f:
        f.write("1.3.6.1.4.1.3704.1.1 = ASN1:INTEGER:1\n"
                "1.3.6.1.4.1.3704.1.2 = ASN1:IA5STRING:Milan-B0\n"
                f"1.3.6.1.4.1.3704.1.3.1 = ASN1:INTEGER:{tcb['bl']}\n"
                f"1.3.6.1.4.1.3704.1.3.2 = ASN1:INTEGER:{tcb['tee']}\n"
                f"1.3.6.1.4.1.3704.1.3.3 = ASN1:INTEGER:{tcb['snp']}\n"
                f"1.3.6.1.4.1.3704.1.3.8 = ASN1:INTEGER:{tcb['ucode']}\n"
                "1.3.6.1.4.1.3704.1.4 = DER:" + ":".join(f"{b:02x}" for b in chip_id) + "\n")
    openssl("req", "-new", "-key", key, "-out", name + ".csr", "-subj", "/CN=SEV-VCEK", cwd=d)
    openssl("x509", "-req", "-in", name + ".csr", "-CA", "ask.pem", "-CAkey", "ask.key",
            "-set_serial", "3", "-days", "365", "-extfile", ext, "-out", name, *PSS, cwd=d)
    return os.path.join(d, name)


CHAIN_DIR = tempfile.TemporaryDirectory(prefix="snpvmm-testchain-")
make_chain(CHAIN_DIR.name)


def chain_file(name):
    return os.path.join(CHAIN_DIR.name, name)


def framed_reports(console):
    return console.count("SNPVMM-ATTESTATION-REPORT-BEGIN")


@expand
class AttestationLoop(harness.SnpvmmTest):
    NONCE = bytes(range(64)).hex()
    HOST_DATA = "5a" * 32

    def launch_args(self, kernel=None, policy="0x30000", host_data=HOST_DATA):
        return ["--kernel", kernel or self.guest, "--mem", "64M", "--smp", "2",
                "--sev-features", "none", "--policy", policy, "--host-data", host_data]

    def launch(self, args, profile="7.0", nonce=NONCE, vcek_key=True):
        script = self.write("guest.txt", f"print attesting\nreport {nonce}\nshutdown\n".encode())
        report = os.path.join(self.dir, "sim.json")
        extra = ["--sim-vcek", chain_file("vcek.key")] if vcek_key else []
        status, out, err = snpvmm(f"--sim={profile}", *args, "--sim-guest", script,
                                  "--sim-report", report, *extra)
        self.assertEqual(status, 0, err)
        self.assertEqual(framed_reports(out), 1, out)
        with open(report) as f:
            sim = json.load(f)
        return self.write("console.txt", out.encode()), sim

    def verify(self, console, *args, vcek=None):
        status, out, err = snpvmm("verify", "--json", "--report", console, "--vcek",
                                  vcek or chain_file("vcek.pem"), "--chain",
                                  chain_file("chain.pem"), "--ark", chain_file("ark.pem"),
                                  *args)
        doc = json.loads(out) if out.startswith("{") else None
        self.assertIsNotNone(doc, out + err)
        return status, doc, err

    def check(self, doc, name):
        return [c for c in doc["checks"] if c["name"] == name][0]

    def assert_fails_only(self, status, doc, err, *names):
        self.assertEqual(status, 1, err)
        self.assertEqual(doc["failed"], list(names), json.dumps(doc["checks"], indent=1))
        for n in names:
            self.assertIn(n, err)

    # ---- the loop passes ----

    @on()
    def test_measure_launch_report_verify_passes(self, profile):
        args = self.launch_args()
        predicted = snpvmm("measure", *args)[1].strip()
        console, sim = self.launch(args, profile=profile)

        status, doc, err = self.verify(console, "--expect-report-data", self.NONCE,
                                       "--min-tcb", "bl=3,snp=8,ucode=115", *args)

        self.assertEqual(status, 0, json.dumps(doc["checks"], indent=1) + err)
        self.assertEqual(self.check(doc, "measurement")["expected"], predicted)
        self.assertEqual(doc["report"]["measurement"], sim["measurement"])
        self.assertEqual(doc["report"]["host_data"], self.HOST_DATA)
        self.assertEqual(doc["report"]["policy"], "0x30000")
        self.assertIn("NOT AMD", self.check(doc, "chain")["detail"])
        skipped = [c["name"] for c in doc["checks"] if c["status"] == "skip"]
        self.assertEqual(skipped, ["id-key", "author-key", "vmpl"])

    def test_console_frame_is_the_report_the_simulated_psp_signed(self):
        console, sim = self.launch(self.launch_args())
        raw = self.write("report.bin", bytes.fromhex(sim["attestation_reports"][0]["report"]))

        status, doc_console, _ = self.verify(console)
        status2, doc_raw, err = self.verify(raw)

        self.assertEqual((status, status2), (0, 0), err)
        self.assertEqual(doc_console["report"], doc_raw["report"])
        self.assertEqual(doc_raw["report"]["report_data"], self.NONCE)
        self.assertEqual(doc_raw["report"]["chip_id"], CHIP_ID.hex())
        self.assertEqual(doc_raw["report"]["version"], 3)

    # ---- another launch fails with the right reason ----

    def test_launch_with_another_kernel_fails_the_measurement(self):
        other = bytearray(self.guest_bytes())
        other[-1] ^= 0xff  # the last byte of the kernel payload, which is measured
        other_kernel = self.write("other-bzImage", bytes(other))
        console, _ = self.launch(self.launch_args(kernel=other_kernel))

        status, doc, err = self.verify(console, *self.launch_args())

        self.assert_fails_only(status, doc, err, "measurement")
        m = self.check(doc, "measurement")
        self.assertNotEqual(m["expected"], m["found"])
        self.assertEqual(m["found"], snpvmm("measure", *self.launch_args(kernel=other_kernel))[1]
                         .strip())

    def test_launch_with_another_policy_fails_the_policy(self):
        console, _ = self.launch(self.launch_args(policy="0x30001"))

        status, doc, err = self.verify(console, *self.launch_args(policy="0x30000"))

        self.assert_fails_only(status, doc, err, "policy")
        self.assertEqual(self.check(doc, "policy")["found"], "0x30001")
        self.assertEqual(self.check(doc, "policy")["expected"], "0x30000")

    def test_launch_with_another_host_data_fails_the_host_data(self):
        console, _ = self.launch(self.launch_args(host_data="a5" * 32))

        status, doc, err = self.verify(console, *self.launch_args())

        self.assert_fails_only(status, doc, err, "host-data")
        self.assertEqual(self.check(doc, "host-data")["found"], "a5" * 32)

    def test_debug_launch_fails_unless_allowed(self):
        args = self.launch_args(policy="0xb0000")
        console, _ = self.launch(args)

        status, doc, err = self.verify(console, *args)
        self.assert_fails_only(status, doc, err, "debug")

        status, doc, err = self.verify(console, "--allow-debug", *args)
        self.assertEqual(status, 0, err)

    def test_stale_nonce_fails_the_report_data(self):
        console, _ = self.launch(self.launch_args(), nonce="00" * 64)

        status, doc, err = self.verify(console, "--expect-report-data", self.NONCE)

        self.assert_fails_only(status, doc, err, "report-data")

    # ---- the key and its certificate ----

    def test_report_signed_by_another_key_fails_the_signature(self):
        console, _ = self.launch(self.launch_args(), vcek_key=False)  # a made-up VCEK

        status, doc, err = self.verify(console)

        self.assert_fails_only(status, doc, err, "signature")

    def test_vcek_issued_for_another_tcb_or_chip_fails_that_check(self):
        console, _ = self.launch(self.launch_args())
        other_tcb = issue_vcek(CHAIN_DIR.name, "vcek-tcb.pem", tcb=dict(TCB, ucode=116))
        other_chip = issue_vcek(CHAIN_DIR.name, "vcek-chip.pem", chip_id=bytes(64 * [7]))

        status, doc, err = self.verify(console, vcek=other_tcb)
        self.assert_fails_only(status, doc, err, "tcb")
        self.assertEqual(self.check(doc, "tcb")["expected"], "bl 3, tee 0, snp 8, ucode 116")

        status, doc, err = self.verify(console, vcek=other_chip)
        self.assert_fails_only(status, doc, err, "chip-id")

    def test_test_chain_is_refused_against_amds_roots(self):
        console, _ = self.launch(self.launch_args())

        status, out, err = snpvmm("verify", "--json", "--report", console, "--vcek",
                                  chain_file("vcek.pem"), "--chain", chain_file("chain.pem"))

        doc = json.loads(out)
        self.assert_fails_only(status, doc, err, "chain")
        self.assertIn("not the trusted AMD root", self.check(doc, "chain")["detail"])


if __name__ == "__main__":
    harness.main()
