#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`snpvmm verify` end to end on attestation reports signed by real AMD hardware
(tests/data/attestation/README.md) against AMD's roots (data/amd/): what passes, what
fails with which check and both values, the input forms, --json, the exit statuses, and
the measurement predicted in place from launch options by the measure code."""
import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

SRC = os.environ["SNPVMM_SOURCE_DIR"]
DATA = os.path.join(SRC, "tests", "data", "attestation")
AT = "2026-06-01"  # inside every test VCEK's validity (see the README there)

REAL = [  # report, VCEK, product
    ("virtee-milan-v2.hex", "virtee-milan-vcek.der", "milan"),
    ("gosevguest-milan-v2.bin", "gosevguest-milan-vcek.der", "milan"),
    ("msft-milan-v3.bin", "msft-milan-vcek.pem", "milan"),
    ("msft-genoa-v3.bin", "msft-genoa-vcek.pem", "genoa"),
    ("msft-turin-v5.bin", "msft-turin-vcek.pem", "turin"),
]


def data(name):
    return os.path.join(DATA, name)


def run(*args):
    p = subprocess.run([os.environ["SNPVMM"], "verify", *args], capture_output=True,
                       stdin=subprocess.DEVNULL, timeout=60)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


class VerifyCli(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="snpvmm-verify-")

    def tearDown(self):
        self.tmp.cleanup()

    def write(self, name, content):
        path = os.path.join(self.tmp.name, name)
        with open(path, "wb") as f:
            f.write(content)
        return path

    def report_bytes(self, name="msft-milan-v3.bin"):
        with open(data(name), "rb") as f:
            return f.read()

    def verify_json(self, *args):
        status, out, err = run("--json", "--at-time", AT, *args)
        return status, json.loads(out), err

    def one_error_line(self, err, *needles):
        lines = [l for l in err.splitlines() if l.strip()]
        self.assertEqual(len(lines), 1, err)
        self.assertTrue(lines[0].startswith("snpvmm verify: "), lines[0])
        for n in needles:
            self.assertIn(n, lines[0])
        self.assertNotIn("Sanitizer", err)

    def assert_fails_only(self, doc, *checks):
        self.assertEqual(doc["result"], "fail")
        self.assertEqual(doc["failed"], list(checks))

    # ---- real reports pass ----

    def test_every_real_report_verifies_against_amd_roots(self):
        for report, vcek, product in REAL:
            with self.subTest(report=report):
                extra = ["--allow-debug"] if report.startswith("gosevguest") else []
                status, out, err = run("--report", data(report), "--vcek", data(vcek),
                                       "--at-time", AT, *extra)
                self.assertEqual(status, 0, out + err)
                self.assertIn(f"product {product}", out)
                self.assertIn("result: PASS", out)
                self.assertEqual(err, "")

    def test_product_chain_and_kds_chain_file_agree(self):
        chain = os.path.join(SRC, "data", "amd", "genoa", "cert_chain.pem")
        for how in (["--product", "genoa"], ["--chain", chain], ["--chain", chain, "--product",
                                                                  "genoa"]):
            with self.subTest(how=how):
                status, doc, err = self.verify_json("--report", data("msft-genoa-v3.bin"),
                                                    "--vcek", data("msft-genoa-vcek.pem"),
                                                    *how)
                self.assertEqual(status, 0, err)
                self.assertEqual(doc["result"], "pass")
                self.assertEqual(doc["report"]["product"], "genoa")

    def test_report_as_hex_base64_and_console_frame(self):
        raw = self.report_bytes()
        framed = (b"[    2.0] Run /init\nSNPVMM-ATTESTATION-REPORT-BEGIN\n" +
                  b"".join(raw[i:i + 32].hex().encode() + b"\n" for i in range(0, 1184, 32)) +
                  b"SNPVMM-ATTESTATION-REPORT-END\nreboot: Power down\n")
        forms = {"hex": raw.hex().encode() + b"\n", "base64": base64.encodebytes(raw),
                 "frame": framed}
        for form, content in forms.items():
            with self.subTest(form=form):
                status, doc, err = self.verify_json(
                    "--report", self.write(form, content), "--vcek",
                    data("msft-milan-vcek.pem"))
                self.assertEqual(status, 0, err)
                self.assertEqual(doc["report"]["version"], 3)

    # ---- tampering fails with the right reason ----

    def test_flipped_bytes_of_the_signed_part_fail_the_signature(self):
        for off in (0x08, 0x50, 0x90, 0xbf, 0x180, 0x1a0, 0x29f):  # policy .. last signed
            with self.subTest(offset=hex(off)):
                raw = bytearray(self.report_bytes("msft-turin-v5.bin"))
                raw[off] ^= 0x80
                status, doc, err = self.verify_json(
                    "--report", self.write("r.bin", bytes(raw)), "--vcek",
                    data("msft-turin-vcek.pem"), "--allow-debug")
                self.assertEqual(status, 1)
                self.assertIn("signature", doc["failed"])
                self.one_error_line(err, "signature")

    def test_flipped_bytes_of_the_signature_fail_it(self):
        for off in (0x2a0, 0x2c0, 0x2e8, 0x300, 0x3ff, 0x49f):  # r, s, zero padding, reserved
            with self.subTest(offset=hex(off)):
                raw = bytearray(self.report_bytes())
                raw[off] ^= 0x01
                status, doc, err = self.verify_json(
                    "--report", self.write("r.bin", bytes(raw)), "--vcek",
                    data("msft-milan-vcek.pem"))
                self.assertEqual(status, 1)
                self.assert_fails_only(doc, "signature")

    def test_flipped_byte_of_the_vcek_signature_fails_the_chain(self):
        with open(data("virtee-milan-vcek.der"), "rb") as f:
            der = bytearray(f.read())
        der[-1] ^= 0x01  # inside AMD's RSA-PSS signature of the VCEK

        status, doc, err = self.verify_json("--report", data("virtee-milan-v2.hex"), "--vcek",
                                            self.write("vcek.der", bytes(der)))

        self.assertEqual(status, 1)
        self.assert_fails_only(doc, "chain")
        self.one_error_line(err, "chain", "signature failure")

    def test_vcek_of_another_product_fails_the_chain(self):
        status, doc, err = self.verify_json("--report", data("msft-milan-v3.bin"), "--vcek",
                                            data("virtee-turin-vcek.der"), "--product", "milan")

        self.assertEqual(status, 1)
        self.assertIn("chain", doc["failed"])
        self.assertIn("signature", doc["failed"])
        self.one_error_line(err, "chain")

    def test_chain_of_another_product_fails(self):
        status, doc, err = self.verify_json("--report", data("msft-milan-v3.bin"), "--vcek",
                                            data("msft-milan-vcek.pem"), "--product", "turin")

        self.assertEqual(status, 1)
        self.assertIn("chain", doc["failed"])
        self.assertIn("product", doc["failed"])

    @unittest.skipUnless(shutil.which("openssl"), "needs the openssl CLI")
    def test_chain_file_whose_ark_is_not_amds_fails(self):
        ark_key, ark = (os.path.join(self.tmp.name, n) for n in ("ark.key", "ark.pem"))
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                        ark_key, "-out", ark, "-subj", "/CN=ARK-Milan", "-days", "30",
                        "-sigopt", "rsa_padding_mode:pss", "-sha384"],
                       check=True, capture_output=True)
        with open(os.path.join(SRC, "data", "amd", "milan", "cert_chain.pem"), "rb") as f:
            ask = f.read().split(b"-----END CERTIFICATE-----")[0] + b"-----END CERTIFICATE-----\n"
        with open(ark, "rb") as f:
            chain = self.write("chain.pem", ask + f.read())

        status, doc, err = self.verify_json("--report", data("msft-milan-v3.bin"), "--vcek",
                                            data("msft-milan-vcek.pem"), "--chain", chain)

        self.assertEqual(status, 1)
        self.assert_fails_only(doc, "chain")
        self.assertIn("not the trusted AMD root", doc["checks"][2]["detail"])

    def test_expired_vcek_fails_the_chain(self):
        status, out, err = run("--report", data("msft-milan-v3.bin"), "--vcek",
                               data("msft-milan-vcek.pem"), "--at-time", "2034-01-01")

        self.assertEqual(status, 1)
        self.one_error_line(err, "chain", "expired")

    # ---- expectations ----

    def test_wrong_measurement_fails_with_both_values(self):
        raw = self.report_bytes()
        want = "ab" * 48

        status, doc, err = self.verify_json("--report", data("msft-milan-v3.bin"), "--vcek",
                                            data("msft-milan-vcek.pem"),
                                            "--expect-measurement", want)

        self.assertEqual(status, 1)
        self.assert_fails_only(doc, "measurement")
        check = [c for c in doc["checks"] if c["name"] == "measurement"][0]
        self.assertEqual(check["expected"], want)
        self.assertEqual(check["found"], raw[0x90:0xc0].hex())
        self.one_error_line(err, "measurement", want, raw[0x90:0xc0].hex())

    def test_every_expectation_passes_on_the_reports_own_values(self):
        raw = self.report_bytes("msft-turin-v5.bin")

        status, doc, err = self.verify_json(
            "--report", data("msft-turin-v5.bin"), "--vcek", data("msft-turin-vcek.pem"),
            "--expect-measurement", raw[0x90:0xc0].hex(), "--expect-policy", "0x3001f",
            "--expect-host-data", raw[0xc0:0xe0].hex(), "--expect-report-data",
            raw[0x50:0x90].hex(), "--expect-id-key-digest", raw[0xe0:0x110].hex(),
            "--expect-author-key-digest", raw[0x110:0x140].hex(), "--expect-vmpl", "0",
            "--min-tcb", "fmc=1,bl=1,tee=1,snp=4,ucode=81")

        self.assertEqual(status, 0, err)
        self.assertEqual([c["name"] for c in doc["checks"] if c["status"] == "skip"], [])

    def test_wrong_policy_host_data_report_data_vmpl_and_min_tcb_each_fail(self):
        cases = {"policy": ["--expect-policy", "0x30000"],
                 "host-data": ["--expect-host-data", "00" * 32],
                 "report-data": ["--expect-report-data", "11" * 64],
                 "vmpl": ["--expect-vmpl", "1"],
                 "min-tcb": ["--min-tcb", "snp=25"]}
        for name, args in cases.items():
            with self.subTest(check=name):
                status, doc, err = self.verify_json("--report", data("msft-milan-v3.bin"),
                                                    "--vcek", data("msft-milan-vcek.pem"), *args)
                self.assertEqual(status, 1)
                self.assert_fails_only(doc, name)

    def test_debug_policy_fails_unless_allowed(self):
        args = ["--report", data("gosevguest-milan-v2.bin"), "--vcek",
                data("gosevguest-milan-vcek.der")]

        status, doc, err = self.verify_json(*args)
        self.assertEqual(status, 1)
        self.assert_fails_only(doc, "debug")

        status, doc, err = self.verify_json(*args, "--allow-debug")
        self.assertEqual(status, 0, err)

    @unittest.skipUnless(shutil.which("openssl"), "needs the openssl CLI")
    def test_id_key_file_is_compared_by_its_digest(self):
        key = os.path.join(self.tmp.name, "id.pem")
        subprocess.run(["openssl", "genpkey", "-algorithm", "EC", "-pkeyopt",
                        "ec_paramgen_curve:P-384", "-out", key], check=True, capture_output=True)

        status, doc, err = self.verify_json("--report", data("msft-milan-v3.bin"), "--vcek",
                                            data("msft-milan-vcek.pem"), "--id-key", key)

        self.assertEqual(status, 1)
        self.assert_fails_only(doc, "id-key")

    def test_launch_options_predict_the_measurement_with_the_measure_code(self):
        guest = os.environ["TEST_GUEST"]
        launch = ["--kernel", guest, "--mem", "64M", "--sev-features", "none",
                  "--policy", "0x30000"]
        predicted = subprocess.run([os.environ["SNPVMM"], "measure", *launch],
                                   capture_output=True, check=True).stdout.decode().strip()

        status, doc, err = self.verify_json("--report", data("msft-milan-v3.bin"), "--vcek",
                                            data("msft-milan-vcek.pem"), *launch)

        # The real report is of another guest: the prediction and the policy differ.
        self.assertEqual(status, 1)
        self.assert_fails_only(doc, "measurement", "policy")
        check = [c for c in doc["checks"] if c["name"] == "measurement"][0]
        self.assertEqual(check["expected"], predicted)
        self.assertIn("--policy", " ".join(launch))

    # ---- bad input ----

    def test_usage_errors_exit_2_with_one_line(self):
        report, vcek = data("msft-milan-v3.bin"), data("msft-milan-vcek.pem")
        cases = [
            ([], "--report FILE is required"),
            (["--report", report], "--vcek FILE or --vlek FILE"),
            (["--report", report, "--vcek", vcek, "--vlek", vcek], "one of them"),
            (["--report", report, "--vcek", vcek, "--expect-measurement", "xyz"],
             "--expect-measurement"),
            (["--report", report, "--vcek", vcek, "--product", "rome"], "--product 'rome'"),
            (["--report", report, "--vcek", vcek, "--ark", vcek], "--ark needs --chain"),
            (["--report", report, "--vcek", vcek, "--min-tcb", "bl"], "--min-tcb"),
            (["--report", report, "--vcek", vcek, "--at-time", "yesterday"], "--at-time"),
            (["--report", report, "--vcek", vcek, "--json=1"], "--json takes no value"),
            (["--report", report, "--vcek", vcek, "--report", report], "given twice"),
            (["--report", report, "--vcek", vcek, "--expect-measurement", "00" * 48,
              "--kernel", os.environ["TEST_GUEST"]], "not both"),
            (["--report", report, "--vcek", vcek, "--kernel", os.environ["TEST_GUEST"],
              "--id-block", "b", "--id-auth", "a"], "--id-key"),
        ]
        for args, needle in cases:
            with self.subTest(args=args):
                status, out, err = run(*args)
                self.assertEqual(status, 2, err)
                self.one_error_line(err, needle)

    def test_launch_options_are_parsed_by_measures_table(self):
        # measure_digest() parses with `snpvmm measure`'s table: its output flags and the
        # other layout's flags are one usage line, before anything is read.
        report, vcek = data("msft-milan-v3.bin"), data("msft-milan-vcek.pem")
        guest = os.environ["TEST_GUEST"]
        cases = [
            (["--", "--kernel", guest, "--json"], "--json formats what"),
            (["--kernel", guest, "--trace", "-"], "--trace - would write"),
            (["--kernel", guest, "--trace=-"], "--trace - would write"),
            (["--kernel", guest, "--vcpus", "2"], "--vcpus is an option of the QEMU + OVMF"),
            (["--ovmf", "ovmf.fd", "--vcpus", "1", "--smp", "2"],
             "--smp is a launch option of snpvmm's own layout"),
            (["--", "--kernel", guest, "--help"], "--help is not a launch option"),
        ]
        for args, needle in cases:
            with self.subTest(args=args):
                status, out, err = run("--report", report, "--vcek", vcek, *args)
                self.assertEqual((status, out), (2, ""), err)
                # The measure code names itself, as for an unknown launch option.
                self.assertEqual(err.count("\n"), 1, err)
                self.assertTrue(err.startswith("snpvmm measure: "), err)
                self.assertIn(needle, err)

    def test_unreadable_inputs_exit_1_with_one_line(self):
        vcek = data("msft-milan-vcek.pem")
        v6 = bytearray(self.report_bytes())
        v6[0] = 6
        cases = [
            (["--report", "/nonexistent", "--vcek", vcek], "cannot open report"),
            (["--report", self.write("junk", b"hello"), "--vcek", vcek], "not a report"),
            (["--report", self.write("v6", bytes(v6)), "--vcek", vcek],
             "report version 6 is not supported"),
            (["--report", data("msft-milan-v3.bin"), "--vcek", data("msft-milan-v3.bin")],
             "not a DER or PEM X.509 certificate"),
            (["--report", data("msft-milan-v3.bin"), "--vcek", vcek, "--chain", vcek],
             "two PEM certificates"),
        ]
        for args, needle in cases:
            with self.subTest(args=args):
                status, out, err = run(*args)
                self.assertEqual(status, 1, err)
                self.one_error_line(err, needle)
                self.assertEqual(out, "")

    def test_help_exits_0(self):
        for flag in ("--help", "-h"):
            with self.subTest(flag=flag):
                status, out, err = run(flag)
                self.assertEqual(status, 0, err)
                self.assertIn("--expect-measurement", out)


if __name__ == "__main__":
    unittest.main(verbosity=2)
