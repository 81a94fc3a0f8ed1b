#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""sim tier: the real snpvmm binary launches SEV-SNP guests against the simulated SNP host
(--sim), end to end: the simulated PSP's digest must equal snpvmm's predicted
`measurement` event and `snpvmm measure`; the scripted guest must pass; fault injection
must be recovered from or end with one clear error line."""
import json
import os
import shutil
import subprocess
import unittest

import harness
from harness import snpvmm
from sim_matrix import UPSTREAM, expand, on

MEM = "64M"


def events_of(text):
    return [json.loads(l) for l in text.splitlines() if l.startswith("{")]


class SimLaunch(harness.SnpvmmTest):
    def launch(self, *args, profile="7.0", script=None, faults=None, initrd=True,
               mem=MEM):
        report = os.path.join(self.dir, "report.json")
        events = os.path.join(self.dir, "events.jsonl")
        cmd = [f"--sim={profile}", "--kernel", self.guest, "--mem", mem,
               "--sim-report", report, "--events", events, *args]
        if initrd:
            cmd += ["--initrd", self.write("initrd.img", b"sim initrd " * 300)]
        if script:
            cmd += ["--sim-guest", self.write("script.txt", script.encode())]
        if faults:
            cmd += ["--sim-faults", faults]
        status, out, err = snpvmm(*cmd)
        rep = None
        if os.path.exists(report):
            with open(report) as f:
                rep = json.load(f)
        evs = []
        if os.path.exists(events):
            with open(events) as f:
                evs = events_of(f.read())
        return status, out, err, rep, evs

    def measure(self, *args, initrd=True, mem=MEM):
        cmd = ["measure", "--kernel", self.guest, "--mem", mem, *args]
        if initrd:
            cmd += ["--initrd", self.write("initrd.img", b"sim initrd " * 300)]
        status, out, err = snpvmm(*cmd)
        self.assertEqual(status, 0, err)
        return out.strip()

    def assert_measured_launch(self, status, err, rep, evs):
        self.assertEqual(status, 0, err)
        self.assertIn("SIMULATED SEV-SNP host", err)
        self.assertEqual(rep["guest_script"], "passed")
        predicted = [e for e in evs if e["event"] == "measurement"]
        self.assertEqual(len(predicted), 1)
        self.assertEqual(predicted[0]["measurement"], rep["measurement"])
        self.assertLessEqual(rep["launch_updates"], 64)
        self.assertEqual(evs[-1]["event"], "guest-exit")
        self.assertEqual(evs[-1]["status"], 0)


def config_matrix():
    """Every value of every dimension of the acceptance list at least once per profile:
    smp 1/2/4, with and without initrd, features none/debug-swap, two policies."""
    return [
        dict(smp="1", feats="none", policy=None, initrd=True),
        dict(smp="2", feats="debug-swap", policy=None, initrd=False),
        dict(smp="4", feats="none", policy="0x30000", initrd=True),
        dict(smp="2", feats="none", policy="0xb0000", initrd=False),  # + DEBUG
        dict(smp="4", feats="debug-swap", policy="0x30000", initrd=False),
    ]


@expand
class MeasuredLaunchTest(SimLaunch):
    @on()
    def test_measurements_match_prediction_and_measure(self, profile):
        """Both boot modes: the digest the simulated PSP computed is the one snpvmm
        predicted at launch and the one `snpvmm measure` predicts offline."""
        for c in config_matrix():
            for boot in ("hashes", "content"):
                with self.subTest(profile=profile, boot=boot, **c):
                    args = ["--smp", c["smp"], "--sev-features", c["feats"], "--boot", boot]
                    launch_args = args + (["--policy", c["policy"]] if c["policy"] else [])
                    status, _, err, rep, evs = self.launch(*launch_args, profile=profile,
                                                           initrd=c["initrd"])
                    self.assert_measured_launch(status, err, rep, evs)
                    self.assertEqual(rep["vcpus"], int(c["smp"]))
                    self.assertEqual(self.measure(*args, initrd=c["initrd"]),
                                     rep["measurement"])

    @on()
    def test_boot_mode_hashes_psp_work_does_not_grow_with_ram_or_initrd(self, profile):
        """A 16 GiB guest with a 256 MiB initrd costs the PSP exactly what a 1 GiB guest
        with a 4 MiB one does, fewer than 100 pages (VMSAs aside); content pays per page."""
        def psp_pages(rep):
            ops = rep["firmware_page_ops"]
            return sum(n for t, n in ops.items() if t != "VMSA")

        small = self.sparse("small.img", 4 << 20)
        big = self.sparse("big.img", 256 << 20)
        runs = {}
        for name, mem, initrd in (("small", "1G", small), ("big", "16G", big)):
            status, _, err, rep, evs = self.launch("--sev-features", "none", "--initrd",
                                                   initrd, profile=profile, initrd=False,
                                                   mem=mem)
            self.assert_measured_launch(status, err, rep, evs)
            finished = [e for e in evs if e["event"] == "launch-finished"][0]
            self.assertEqual(finished["zero_pages"], 0)
            self.assertEqual(finished["boot"], "hashes")
            runs[name] = (psp_pages(rep), rep["launch_updates"], rep["measurement"])
        self.assertEqual(runs["big"][:2], runs["small"][:2])
        self.assertLess(runs["big"][0], 100)
        self.assertNotEqual(runs["big"][2], runs["small"][2])

    @on(*UPSTREAM)
    def test_staging_and_each_psc_batch_are_pre_faulted(self, profile):
        """KVM_PRE_FAULT_MEMORY: once over the staging area after the launch (boot mode
        hashes), and once per page-state change to private, so that the stage's copy and
        its PVALIDATEs find their pages mapped. The script asks for what one of the stage's
        full descriptors asks: 253 entries of 2 MiB."""
        script = "psc private 0x200000 253 2m\n"
        counts = {}
        for boot in ("hashes", "content"):
            status, _, err, rep, evs = self.launch("--sev-features", "none", "--boot", boot,
                                                   profile=profile, script=script, mem="1G")
            self.assert_measured_launch(status, err, rep, evs)
            counts[boot] = rep["ioctls"].get("KVM_PRE_FAULT_MEMORY", 0)
        self.assertEqual(counts, {"hashes": 2, "content": 1})

    def test_v12_psc_descriptor_in_the_staging_area_is_served(self):
        """The boot stage keeps its GHCB in the first page of the staging area (at 4 GiB
        for a small guest), outside RAM; a v12 kernel hands the descriptor's GPA to
        snpvmm, which must find it there too."""
        script = ("psc private 0x200000 1 2m\n"
                  "psc shared 0x400000 3 4k\npsc private 0x400000 3 4k\n")

        status, _, err, rep, evs = self.launch("--sev-features", "none", "--boot", "hashes",
                                               "--sim-set", "ghcb_gpa=0x100000000",
                                               profile="v12", script=script)

        self.assert_measured_launch(status, err, rep, evs)

    def sparse(self, name, size):
        path = os.path.join(self.dir, name)
        with open(path, "wb") as f:
            f.truncate(size)
        return path

    @on()
    def test_report_carries_policy_and_host_data(self, profile):
        host_data = "5a" * 32

        status, _, err, rep, evs = self.launch("--host-data", host_data, "--policy", "0x30000",
                                               profile=profile)

        self.assert_measured_launch(status, err, rep, evs)
        self.assertEqual(rep["host_data"], host_data)
        self.assertEqual(int(rep["policy"], 16), 0x30000)
        self.assertEqual(rep["attestation_reports"][0]["measurement"], rep["measurement"])

    @on()
    @unittest.skipUnless(shutil.which("openssl"), "needs the openssl CLI")
    def test_id_block_signed_for_the_predicted_digest_is_accepted(self, profile):
        key = os.path.join(self.dir, "id.pem")
        subprocess.run(["openssl", "genpkey", "-algorithm", "EC", "-pkeyopt",
                        "ec_paramgen_curve:P-384", "-out", key], check=True,
                       capture_output=True)
        digest = self.measure("--sev-features", "none")
        block, auth = os.path.join(self.dir, "b"), os.path.join(self.dir, "a")
        status, _, err = snpvmm("id-block", "--measurement", digest, "--policy", "0x30000",
                                "--id-key", key, "--out-block", block, "--out-auth", auth)
        self.assertEqual(status, 0, err)

        status, _, err, rep, evs = self.launch("--sev-features", "none", "--policy", "0x30000",
                                               "--id-block", block, "--id-auth", auth,
                                               "--host-data", "ab" * 32, profile=profile)

        self.assert_measured_launch(status, err, rep, evs)
        self.assertNotEqual(rep["id_key_digest"], "00" * 48)

    def dump_vmsas(self, *args):
        out_dir = os.path.join(self.dir, "vmsa")
        os.makedirs(out_dir, exist_ok=True)
        self.measure("--smp", "3", "--sev-features", "none", "--dump-vmsa", out_dir, *args)
        pages = []
        for i in range(3):
            with open(os.path.join(out_dir, f"vmsa{i}.bin"), "rb") as f:
                pages.append(f.read())
        return pages

    @staticmethod
    def vmsa_u64(page, offset):
        return int.from_bytes(page[offset:offset + 8], "little")

    def test_measure_dumps_one_vmsa_per_vcpu_and_aps_are_kvm_reset_state(self):
        import hashlib

        pages = self.dump_vmsas("--boot", "content")

        ap = hashlib.sha384(pages[1]).hexdigest()
        self.assertEqual([len(p) for p in pages], [4096] * 3)
        self.assertEqual(pages[1], pages[2])
        # The pure KVM reset state, vmsa_features 0 (kvm_vcpu_reset() + init_vmcb() as
        # sev_es_sync_vmsa() copies them; the same page test_vmsa checks).
        self.assertTrue(ap.startswith("64657e8c") and ap.endswith("914d985d"), ap)
        # The BSP enters at the 64-bit entry: RIP (0x178) = 0x100200, RSI (0x330) = 0x2000.
        self.assertEqual(self.vmsa_u64(pages[0], 0x178), 0x100200)
        self.assertEqual(self.vmsa_u64(pages[0], 0x330), 0x2000)

    def test_boot_mode_hashes_bsp_enters_the_stage_and_aps_are_unchanged(self):
        content = self.dump_vmsas("--boot", "content")
        pages = self.dump_vmsas()  # the default is --boot hashes

        self.assertEqual(pages[1], content[1])
        # include/stage/stage_params.h: code at 0xA8000 (RIP 0x178), its stack ends there
        # (RSP 0x1D8), RSI (0x330) = the parameters page, CR3 (0x150) = its page tables.
        self.assertEqual(self.vmsa_u64(pages[0], 0x178), 0xA8000)
        self.assertEqual(self.vmsa_u64(pages[0], 0x1D8), 0xA8000)
        self.assertEqual(self.vmsa_u64(pages[0], 0x330), 0xA0000)
        self.assertEqual(self.vmsa_u64(pages[0], 0x150), 0xA1000)

    @on()
    def test_page_state_event_matches_the_simulated_host(self, profile):
        status, _, err, rep, evs = self.launch(profile=profile)

        ps = [e for e in evs if e["event"] == "page-state"][0]
        self.assert_measured_launch(status, err, rep, evs)
        self.assertEqual(ps["private_pages"], rep["page_states"]["private"])
        self.assertEqual(ps["shared_pages"], rep["page_states"]["shared"])


@expand
class FaultInjectionTest(SimLaunch):
    @on()
    def test_launch_update_eagain_is_retried(self, profile):
        status, _, err, rep, evs = self.launch(faults="launch-update-eagain=2", profile=profile)
        self.assert_measured_launch(status, err, rep, evs)

    @on(*UPSTREAM)
    def test_launch_update_partial_progress_is_continued(self, profile):
        status, _, err, rep, evs = self.launch(faults="launch-update-partial=1", profile=profile)
        self.assert_measured_launch(status, err, rep, evs)

    def test_partial_progress_fault_on_v12_is_refused_as_impossible(self):
        # The v12 series cannot report partial progress: the fault would be a fiction.
        status, _, err, _, _ = self.launch(faults="launch-update-partial=1", profile="v12")
        self.assertEqual(status, 1, err)
        self.assertIn("launch-update-partial needs a kernel that reports", err)

    @on()
    def test_rejected_cpuid_page_is_retried_with_the_correction(self, profile):
        status, _, err, rep, evs = self.launch(faults="cpuid-reject", profile=profile)
        self.assert_measured_launch(status, err, rep, evs)
        self.assertIn("corrected the CPUID page", err)

    @on()
    def test_kvm_run_eintr_is_not_an_error(self, profile):
        status, _, err, rep, evs = self.launch(faults="run-eintr=3", profile=profile)
        self.assert_measured_launch(status, err, rep, evs)

    @on(launches=False)
    def test_launch_start_firmware_error_is_named(self, profile):
        status, _, err, _, evs = self.launch(faults="fw-error=launch-start:0x16",
                                             profile=profile)
        lines = [l for l in err.splitlines() if "SIMULATED" not in l]
        self.assertEqual(status, 1)
        self.assertEqual(lines, ["snpvmm: SNP_LAUNCH_START failed: firmware error "
                                 "INVALID_PARAM (0x16)"])
        self.assertEqual(evs[-1]["reason"], "vmm-error")

    @on(launches=False)
    def test_guest_memfd_enomem_is_named(self, profile):
        status, _, err, _, _ = self.launch(faults="gmem-enomem", profile=profile)
        self.assertEqual(status, 1)
        self.assertIn("KVM_CREATE_GUEST_MEMFD", err)

    @unittest.skipUnless(shutil.which("valgrind") and
                         os.environ.get("SNPVMM_SANITIZE", "none") == "none",
                         "needs valgrind and a build without sanitizers (ASan covers that one)")
    def test_failed_launch_leaks_no_fd_or_memory(self):
        p = subprocess.run(["valgrind", "--error-exitcode=99", "--leak-check=full",
                            "--errors-for-leak-kinds=definite,indirect", "--track-fds=yes",
                            os.environ["SNPVMM"], "--sim=7.0", "--sim-faults",
                            "fw-error=launch-start:0x16", "--kernel", self.guest, "--mem", MEM],
                           capture_output=True, timeout=300)
        err = p.stderr.decode()
        self.assertEqual(p.returncode, 1, err)
        # std{in,out,err} only: every fd snpvmm opened was closed.
        self.assertIn("FILE DESCRIPTORS: 3 open", err)


@expand
class BadInputTest(SimLaunch):
    def one_line(self, status, err, needle):
        lines = [l for l in err.splitlines() if "SIMULATED" not in l]
        self.assertNotEqual(status, 0)
        self.assertEqual(len(lines), 1, err)
        self.assertIn(needle, lines[0])

    def test_mismatched_cbitpos_is_an_error(self):
        status, _, err, _, _ = self.launch("--cbitpos", "47")
        self.one_line(status, err, "--cbitpos 47 disagrees")

    def test_snp_unavailable_names_what_is_missing(self):
        status, _, err, _, _ = self.launch("--sim-set", "vm_types=0x1")
        self.one_line(status, err, "SEV-SNP is unavailable")

    def test_snp_unavailable_because_of_the_cpu_says_so(self):
        status, _, err, _, _ = self.launch("--sim-set", "vm_types=0x1",
                                           "--sim-set", "cpuid_8000001f_eax=0")
        self.one_line(status, err, "the CPU does not report SEV-SNP")

    def test_snp_unavailable_because_of_the_kernel_names_the_vm_type(self):
        status, _, err, _, _ = self.launch("--sim-set", "vm_types=0x1")
        self.one_line(status, err, "KVM does not offer the SNP VM type")

    def test_policy_without_reserved_bit_17_is_an_error(self):
        status, _, err, _, _ = self.launch("--policy", "0x10000")
        self.one_line(status, err, "bit 17")

    def test_policy_with_reserved_bit_is_an_error(self):
        status, _, err, _, _ = self.launch("--policy", "0x8030000")
        self.one_line(status, err, "reserved bit 27")

    @on("6.19", "7.0")
    def test_policy_bit_the_kernel_does_not_offer_is_named(self, profile):
        # CXL_ALLOW (bit 21) outside the kernel's KVM_X86_SNP_POLICY_BITS (6.19+).
        status, _, err, _, _ = self.launch("--policy", "0x230000", "--sim-set",
                                           "policy_bits=0x1fffff", profile=profile)
        self.one_line(status, err, "bit 21 is not supported by this host")

    @on("6.19", "7.0")
    def test_policy_within_the_kernels_policy_bits_is_accepted(self, profile):
        status, _, err, rep, evs = self.launch("--policy", "0x130000", profile=profile)
        self.assert_measured_launch(status, err, rep, evs)

    @on(launches=False)
    def test_policy_forbidding_smt_on_smt_host_is_an_error(self, profile):
        status, _, err, _, _ = self.launch("--policy", "0x20000", profile=profile)
        self.one_line(status, err, "SMT")

    def test_guest_larger_than_the_simulated_host_is_one_clear_line(self):
        # host_memory (default: what this machine has available) bounds the guest_memfd
        # the simulated host backs; beyond it the launch stops before any allocation.
        status, _, err, _, _ = self.launch("--sim-set", "host_memory=0x8000000", mem="256M")
        self.one_line(status, err, "the host cannot back that much guest memory")

    def test_unknown_sev_feature_is_a_usage_error(self):
        status, _, err, _, _ = self.launch("--sev-features", "warp-drive")
        self.one_line(status, err, "warp-drive")

    def test_unsupported_sev_feature_is_named(self):
        status, _, err, _, _ = self.launch("--sev-features", "debug-swap",
                                           "--sim-set", "vmsa_features=0")
        self.one_line(status, err, "debug-swap")

    def test_id_block_of_wrong_size_is_an_error(self):
        block = self.write("b", b"x" * 95)
        auth = self.write("a", b"y" * 4096)
        status, _, err, _, _ = self.launch("--id-block", block, "--id-auth", auth)
        self.one_line(status, err, "ID block")

    def test_malformed_host_data_is_a_usage_error(self):
        status, _, err, _, _ = self.launch("--host-data", "xyz")
        self.one_line(status, err, "--host-data")

    def test_images_that_do_not_fit_are_an_error(self):
        big = self.write("big.img", b"\0" * (8 << 20))
        status, _, err, _, _ = self.launch("--initrd", big, mem="4M", initrd=False)
        self.one_line(status, err, "does not fit")


if __name__ == "__main__":
    harness.main()
