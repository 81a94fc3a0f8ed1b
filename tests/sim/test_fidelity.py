#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""sim tier, issue 10: what the kernels' sources say the VMM must do, end to end with the
real binary on the simulated kernel that has the behaviour (docs/sim.md "Profiles"). Each
test fails on the snpvmm before issue 10:

  defect 1  v12's LAUNCH_UPDATE writes no progress back: each range is issued once
  defect 2  the default policy does not follow the host's SMT
  defect 4  a policy refusal says what that kernel refuses
  defect 5  a signal during LAUNCH_UPDATE does not fail the launch
  defect 6  a kernel without VM-level memory attributes is one clear line
  defect 7  --reduced-phys-bits takes QEMU's value whatever the host's
  defect 8  no SEV feature unless asked for; measure predicts the default
  and the user-facing fixes (one number syntax, QEMU's spellings, the ID block checked
  before the launch) and today's UAPI (Secure TSC, the certificate exit numbered 42)."""
import base64
import os
import shutil
import subprocess
import unittest

import harness
from harness import snpvmm
from sim_matrix import UPSTREAM, expand, on
from test_runtime import Runtime, certs_prologue, expect_table_lines, table_two_pages
from test_sim import SimLaunch


def error_lines(err):
    return [l for l in err.splitlines() if l.strip() and "SIMULATED" not in l]


class Fidelity(SimLaunch):
    def refused(self, status, err, *needles, expect_status=1):
        """One line that names the problem, and the given exit status."""
        lines = error_lines(err)
        self.assertEqual(status, expect_status, err)
        self.assertEqual(len(lines), 1, err)
        for needle in needles:
            self.assertIn(needle, lines[0])

    def launch_finished(self, evs):
        return [e for e in evs if e["event"] == "launch-finished"][0]


@expand
class V12ProgressTest(Fidelity):
    """Defect 1: [PATCH v12 11/29] snp_launch_update() returns 0 for the whole range and
    never copies the struct back."""

    def test_v12_launch_issues_each_range_once_and_touches_no_guest_page(self):
        status, _, err, rep, evs = self.launch("--smp", "2", profile="v12")

        self.assert_measured_launch(status, err, rep, evs)
        self.assertIsNone(rep["host_fault"])
        self.assertEqual(rep["launch_updates"], self.launch_finished(evs)["launch_update_ioctls"])
        self.assertLessEqual(rep["launch_updates"], 16)


@expand
class DefaultPolicyTest(Fidelity):
    """Defect 2: 0x30000 on every host; SMT = 0 is refused by v12 and 6.11-6.16."""

    @on()
    def test_host_with_smt_off_launches_with_the_default_policy(self, profile):
        status, _, err, rep, evs = self.launch("--sim-set", "smt=0", profile=profile)

        self.assert_measured_launch(status, err, rep, evs)
        self.assertEqual(int(rep["policy"], 16), 0x30000)

    @on()
    def test_nosmt_host_with_bios_smt_launches_with_the_default_policy(self, profile):
        """Review of issue 10, finding 2: Linux's nosmt (sysfs smt/active 0) with SMT
        still enabled in the BIOS, which is what the firmware checks."""
        status, _, err, rep, evs = self.launch("--sim-set", "smt_active=0", profile=profile)

        self.assert_measured_launch(status, err, rep, evs)
        self.assertEqual(int(rep["policy"], 16), 0x30000)

    @on("6.17", "6.18", "6.19", "7.0")
    def test_smt_forbidden_under_nosmt_is_refused_by_the_firmware(self, profile):
        """9f4701e05fae (6.17): SMT = 0 means "SMT disabled in the BIOS"; under nosmt
        snpvmm cannot tell, KVM lets it through and the firmware refuses it."""
        status, _, err, _, _ = self.launch("--policy", "0x20000", "--sim-set",
                                           "smt_active=0", profile=profile)
        self.refused(status, err, "POLICY_FAILURE", "SMT is enabled in the BIOS",
                     "even under nosmt")


@expand
class PolicyDiagnosticTest(Fidelity):
    """Defect 4: snp_launch_start() per version."""

    def test_single_socket_on_6_11_says_6_11_to_6_16_refuse_it(self):
        status, _, err, _, _ = self.launch("--policy", "0x130000", profile="6.11")
        self.refused(status, err, "Linux 6.11-6.16 refuse SINGLE_SOCKET (bit 20)",
                     "6.17 and later leave that to the firmware")

    def test_smt_forbidden_on_6_11_without_smt_says_6_11_to_6_16_require_it(self):
        status, _, err, _, _ = self.launch("--policy", "0x20000", "--sim-set", "smt=0",
                                           profile="6.11")
        self.refused(status, err, "6.11-6.16 refuse a policy without SMT allowed (bit 16)")

    def test_single_socket_on_v12_names_the_v12_kernel(self):
        status, _, err, _, _ = self.launch("--policy", "0x130000", profile="v12")
        self.refused(status, err, "v12-series kernel", "SINGLE_SOCKET (bit 20)")

    @on("6.17", "6.18")
    def test_single_socket_and_no_smt_are_left_to_the_firmware_from_6_17(self, profile):
        status, _, err, rep, evs = self.launch("--policy", "0x120000", "--sim-set", "smt=0",
                                               profile=profile)

        self.assert_measured_launch(status, err, rep, evs)
        self.assertEqual(int(rep["policy"], 16), 0x120000)

    def test_bit_outside_policy_bits_on_6_19_is_refused_up_front(self):
        status, _, err, rep, _ = self.launch("--policy", "0x230000", "--sim-set",
                                             "policy_bits=0x1fffff", profile="6.19")
        self.refused(status, err, "bit 21 is not supported by this host",
                     "KVM_X86_SNP_POLICY_BITS")
        self.assertNotIn("KVM_CREATE_VM", rep["ioctls"])


@expand
class SignalTest(Fidelity):
    """Defect 5: kvm_gmem_populate() stops at a pending signal before the first page."""

    @on(*UPSTREAM)
    def test_signal_during_launch_update_does_not_fail_the_launch(self, profile):
        status, _, err, rep, evs = self.launch(
            faults="launch-update-signal=1,launch-update-signal=3:INT", profile=profile)
        self.assert_measured_launch(status, err, rep, evs)


class MemoryAttributesTest(Fidelity):
    """Defect 6: KVM_CAP_MEMORY_ATTRIBUTES on the VM."""

    def test_kernel_without_vm_memory_attributes_is_one_line_before_init2(self):
        status, _, err, rep, _ = self.launch("--sim-set", "vm_memory_attributes=0")

        self.refused(status, err, "KVM_CAP_MEMORY_ATTRIBUTES")
        self.assertIn("KVM_CREATE_VM", rep["ioctls"])
        self.assertNotIn("KVM_SEV_INIT2", rep["ioctls"])


@expand
class ReducedPhysBitsTest(Fidelity):
    """Defect 7: QEMU's usual --reduced-phys-bits 1 on a host that reduces by 5."""

    @on("v12", "6.11", "7.0")
    def test_qemu_value_launches_on_a_host_with_another(self, profile):
        status, _, err, rep, evs = self.launch("--reduced-phys-bits", "1", "--sim-set",
                                               "phys_bits_reduction=5", profile=profile)
        self.assert_measured_launch(status, err, rep, evs)


@expand
class SevFeaturesTest(Fidelity):
    """Defect 8: every feature opt-in, also where the host offers DebugSwap."""

    @on()
    def test_default_launch_enables_no_feature_and_measure_predicts_it(self, profile):
        status, _, err, rep, evs = self.launch(profile=profile)

        self.assert_measured_launch(status, err, rep, evs)
        self.assertEqual(int(rep["vmsa_features"], 16), 0x1)  # SNP_ACTIVE only
        self.assertEqual(self.measure(), rep["measurement"])

    def test_auto_is_a_usage_error_that_says_why(self):
        status, _, err, _, _ = self.launch("--sev-features", "auto")
        self.refused(status, err, "opt-in", expect_status=2)


class NumberSyntaxTest(Fidelity):
    """One syntax in launch, measure and id-block: decimal or 0x hex, never octal."""

    def test_octal_looking_policy_is_refused(self):
        status, _, err, _, _ = self.launch("--policy", "030000")
        self.refused(status, err, "--policy '030000'", expect_status=2)

    def test_policy_30000_is_decimal_and_gets_the_hint(self):
        status, _, err, _, _ = self.launch("--policy", "30000")
        self.refused(status, err, "is decimal (0x7530)", "0x30000", expect_status=2)

    def test_decimal_policy_is_taken_as_decimal(self):
        status, _, err, rep, evs = self.launch("--policy", "196608")
        self.assert_measured_launch(status, err, rep, evs)
        self.assertEqual(int(rep["policy"], 16), 0x30000)

    def test_measure_and_id_block_take_the_same_syntax(self):
        status, _, err = snpvmm("measure", "--kernel", self.guest, "--smp", "02")
        self.refused(status, err, "--smp '02'", expect_status=2)
        status, _, err = snpvmm("id-block", "--measurement", "00" * 48, "--policy", "30000",
                                "--id-key", "k.pem", "--out-block", "b", "--out-auth", "a")
        self.refused(status, err, "is decimal (0x7530)", expect_status=2)


class QemuSpellingsTest(Fidelity):
    """QEMU's forms beside ours: sizes, host-data and ID block/auth in base64 inline."""

    def test_mem_as_qemu_writes_it(self):
        status, _, err, rep, evs = self.launch(mem="64m")
        self.assert_measured_launch(status, err, rep, evs)
        self.assertEqual(self.measure(mem="64M"), rep["measurement"])

    def test_plain_mem_number_says_it_is_bytes(self):
        status, _, err, _, _ = self.launch(mem="2048")
        self.refused(status, err, "write 2048M", expect_status=2)

    def test_host_data_in_base64(self):
        data = bytes(range(32))

        status, _, err, rep, evs = self.launch("--host-data", base64.b64encode(data).decode())

        self.assert_measured_launch(status, err, rep, evs)
        self.assertEqual(rep["host_data"], data.hex())

    @unittest.skipUnless(shutil.which("openssl"), "needs the openssl CLI")
    def test_id_block_and_id_auth_inline_in_base64(self):
        key = os.path.join(self.dir, "id.pem")
        subprocess.run(["openssl", "genpkey", "-algorithm", "EC", "-pkeyopt",
                        "ec_paramgen_curve:P-384", "-out", key], check=True,
                       capture_output=True)
        block, auth = os.path.join(self.dir, "b"), os.path.join(self.dir, "a")
        status, _, err = snpvmm("id-block", "--measurement", self.measure(), "--policy",
                                "0x30000", "--id-key", key, "--out-block", block,
                                "--out-auth", auth)
        self.assertEqual(status, 0, err)
        with open(block) as f:
            b64_block = f.read()
        with open(auth) as f:
            b64_auth = f.read()

        status, _, err, rep, evs = self.launch("--id-block", b64_block, "--id-auth", b64_auth)

        self.assert_measured_launch(status, err, rep, evs)
        self.assertNotEqual(rep["id_key_digest"], "00" * 48)


class IdBlockCheckTest(Fidelity):
    """An ID block the firmware would refuse at LAUNCH_FINISH is refused before the VM."""

    def id_block_for(self, ld_hex, policy):
        import struct
        raw = bytes.fromhex(ld_hex) + b"\0" * 32 + struct.pack("<IIQ", 1, 0, policy)
        return base64.b64encode(raw).decode(), base64.b64encode(b"\0" * 4096).decode()

    def test_id_block_for_another_digest_names_both_digests(self):
        other = "ab" * 48
        block, auth = self.id_block_for(other, 0x30000)

        status, _, err, rep, _ = self.launch("--id-block", block, "--id-auth", auth)

        self.refused(status, err, "the ID block is for launch digest " + other,
                     "but this launch measures " + self.measure())
        self.assertNotIn("KVM_CREATE_VM", rep["ioctls"])

    def test_id_block_for_another_policy_names_both_policies(self):
        block, auth = self.id_block_for(self.measure(), 0xb0000)

        status, _, err, rep, _ = self.launch("--id-block", block, "--id-auth", auth)

        self.refused(status, err, "policy 0xb0000", "policy 0x30000")
        self.assertNotIn("KVM_CREATE_VM", rep["ioctls"])


@expand
class SecureTscTest(Fidelity):
    """Secure TSC (6.18): bit 9 in INIT2, KVM_SET_TSC_KHZ on the VM before LAUNCH_START."""

    @on("6.18", "6.19", "7.0")
    def test_secure_tsc_launch_is_predicted_and_hands_the_frequency_over(self, profile):
        status, _, err, rep, evs = self.launch("--secure-tsc", "--tsc-khz", "2000000",
                                               "--sim-set", "secure_tsc=1", profile=profile)

        self.assert_measured_launch(status, err, rep, evs)
        self.assertEqual(int(rep["vmsa_features"], 16), 0x201)
        self.assertEqual(rep["desired_tsc_khz"], 2000000)
        self.assertEqual(self.measure("--secure-tsc"), rep["measurement"])

    def test_without_tsc_khz_the_host_frequency_is_used(self):
        status, _, err, rep, evs = self.launch("--secure-tsc", "--sim-set", "secure_tsc=1",
                                               "--sim-set", "tsc_khz=2450000", profile="6.18")
        self.assert_measured_launch(status, err, rep, evs)
        self.assertEqual(rep["desired_tsc_khz"], 2450000)

    @on("v12", "6.11", "6.17")
    def test_kernel_before_6_18_is_named(self, profile):
        status, _, err, _, _ = self.launch("--secure-tsc", "--sim-set", "secure_tsc=1",
                                           profile=profile)
        self.refused(status, err, "Secure TSC", "Linux 6.18")

    def test_cpu_without_secure_tsc_is_named(self):
        status, _, err, _, _ = self.launch("--secure-tsc", profile="7.0")
        self.refused(status, err, "Secure TSC", "CPUID 0x8000001F EAX bit 8")


class CertificateExit42Test(Runtime):
    """kvm-x86 trees before the 7.0 merge delivered the certificate request as exit 42,
    with 7.0's payload and opt-in: snpvmm serves it."""

    def test_certificate_request_as_exit_42_is_served(self):
        blob = table_two_pages()
        lines = certs_prologue() + ["certs %#x 4" % 0x3000000] + expect_table_lines(blob)

        status, out, err, rep, evs = self.run_vmm(
            "7.0", "\n".join(lines + ["shutdown", ""]), certs=self.write("certs.bin", blob),
            extra=("--sim-set", "certs_exit=42"))

        self.assert_clean_pass(status, out, err, rep, evs)


if __name__ == "__main__":
    harness.main()
