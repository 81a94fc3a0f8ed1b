#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""sim tier, issue 5: a running SEV-SNP guest against the real snpvmm binary and the
simulated SNP host (--sim): page-state changes in every form each ABI delivers, memory
faults, certificate requests (--certs) and hostile guest input.

Every run must end with the simulated host's final private/shared page counts equal to
snpvmm's `page-state` event, a clean exit and no sanitizer report. The scripted guest
checks each reply itself (docs/sim-guest.md "Expectations and reply checks"); a wrong
reply makes it terminate with 0x17100 and the report's guest_script names the line."""
import fcntl
import json
import os
import select
import struct
import subprocess
import sys
import textwrap
import time
import uuid

import harness
from sim_matrix import UPSTREAM, expand, on

MEM = "64M"
RAM_PAGES = 64 << 8  # 64 MiB in 4 KiB pages
GHCB_GPA = 0x2fff000  # the v12 scripted guest's GHCB (docs/sim.md), shared once used

# include/snp/certs.h: GUID bytes in textual order (RFC 4122, uuid.UUID.bytes).
GUIDS = {
    "ark": uuid.UUID("c0b406a4-a803-4952-9743-3fb6014cd0ae").bytes,
    "ask": uuid.UUID("4ab7b379-bbac-4fe4-a02f-05aef327c782").bytes,
    "vcek": uuid.UUID("63da758d-e664-4564-adc5-f4b93be8accd").bytes,
    "vlek": uuid.UUID("a8074bc2-a25a-483e-aae6-39c045a0b8a1").bytes,
    "crl": uuid.UUID("92f81bc3-5811-4d3d-97ff-d19f88dc67ea").bytes,
}

# fcntl(2) open-file-description locks; Python exposes the constant from 3.9 on.
F_OFD_SETLK = getattr(fcntl, "F_OFD_SETLK", 37)


def cert_table(*certs):
    """The GUID table blob (certs.h file format): {guid[16], u32 offset, u32 length}
    entries, an all-zero terminator, then the certificates. certs: (kind, bytes)."""
    data_start = (len(certs) + 1) * 24
    table, data = b"", b""
    for kind, blob in certs:
        guid = GUIDS[kind] if isinstance(kind, str) else kind
        table += guid + struct.pack("<II", data_start + len(data), len(blob))
        data += blob
    return table + b"\0" * 24 + data


def fake_der(tag, size):
    """Certificate-like bytes (passed through unparsed), different for every tag."""
    body = bytes((tag * 31 + i * 7) & 0xff for i in range(size - 4))
    return b"\x30\x82" + struct.pack(">H", size - 4) + body


def hex_lines(cmd, gpa, data, chunk=2000):
    """write-shared / expect-shared lines covering data at gpa (<= 4096 bytes per line)."""
    return [f"{cmd} {gpa + o:#x} {data[o:o + chunk].hex()}" for o in range(0, len(data), chunk)]


# A child process that takes the operator's exclusive OFD lock on argv[1], says "locked",
# and on a line from stdin replaces the file in place (if argv[2] names new contents),
# unlocks and exits: the file-replacement protocol of include/snp/certs_lock.h.
LOCKER = textwrap.dedent(f"""
    import fcntl, os, struct, sys
    F_OFD_SETLK = getattr(fcntl, "F_OFD_SETLK", {F_OFD_SETLK})
    fd = os.open(sys.argv[1], os.O_RDWR)
    lk = struct.pack("hhqqi4x", fcntl.F_WRLCK, os.SEEK_SET, 0, 0, 0)
    fcntl.fcntl(fd, F_OFD_SETLK, lk)
    print("locked", flush=True)
    sys.stdin.readline()
    if len(sys.argv) > 2:
        with open(sys.argv[2], "rb") as f:
            new = f.read()
        os.ftruncate(fd, 0)
        os.pwrite(fd, new, 0)
    fcntl.fcntl(fd, F_OFD_SETLK, struct.pack("hhqqi4x", fcntl.F_UNLCK, os.SEEK_SET, 0, 0, 0))
    os.close(fd)
    print("released", flush=True)
""")


def events_of(path):
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [json.loads(l) for l in f if l.startswith("{")]


class Runtime(harness.SnpvmmTest):
    def paths(self):
        return (os.path.join(self.dir, "report.json"), os.path.join(self.dir, "events.jsonl"))

    def command(self, profile, script, certs, mem, extra):
        report, events = self.paths()
        cmd = [f"--sim={profile}", "--kernel", self.guest, "--mem", mem,
               "--sim-report", report, "--events", events, *extra]
        if script is not None:
            cmd += ["--sim-guest", self.write("script.txt", script.encode())]
        if certs is not None:
            cmd += ["--certs", certs]
        return cmd

    def collect(self):
        report, events = self.paths()
        rep = None
        if os.path.exists(report):
            with open(report) as f:
                rep = json.load(f)
        return rep, events_of(events)

    def run_vmm(self, profile, script=None, certs=None, mem=MEM, extra=()):
        status, out, err = harness.snpvmm(*self.command(profile, script, certs, mem, extra),
                                          timeout=60)
        rep, evs = self.collect()
        return status, out, err, rep, evs

    def assert_clean_pass(self, status, out, err, rep, evs):
        """The script passed, snpvmm exited 0 after the guest's shutdown, no sanitizer
        spoke, and the host's page counts are what snpvmm reported."""
        self.assertNotIn("Sanitizer", err)
        self.assertNotIn("runtime error", err)
        self.assertIsNotNone(rep, err)
        self.assertEqual(rep["guest_script"], "passed", out + err)
        self.assertEqual(status, 0, err)
        self.assertEqual(evs[-1]["event"], "guest-exit")
        self.assertEqual(evs[-1]["reason"], "poweroff")
        self.assertEqual(evs[-1]["status"], 0)
        return self.assert_page_state_matches(rep, evs)

    def assert_page_state_matches(self, rep, evs):
        ps = [e for e in evs if e["event"] == "page-state"]
        self.assertEqual(len(ps), 1, evs)
        ps = ps[0]
        self.assertEqual(ps["private_pages"], rep["page_states"]["private"])
        self.assertEqual(ps["shared_pages"], rep["page_states"]["shared"])
        return ps

    def assert_one_error_line(self, status, err, *needles):
        lines = [l for l in err.splitlines() if l.strip() and "SIMULATED" not in l]
        self.assertEqual(status, 1, err)
        self.assertEqual(len(lines), 1, f"expected one error line, got: {err!r}")
        self.assertTrue(lines[0].startswith("snpvmm: "), lines[0])
        for n in needles:
            self.assertIn(n, lines[0])
        self.assertNotIn("Sanitizer", err)


# ---------------------------------------------------------------------------------------
# 1. Every page-state form each profile delivers.
# ---------------------------------------------------------------------------------------

MARK = bytes.fromhex("736e70766d6d2d72756e74696d65")  # "snpvmm-runtime"

# MAP_GPA_RANGE hypercalls (upstream) / GHCB descriptors built from `psc` (v12): 4K runs
# (incl. the 253-entry maximum), 2M runs, the MSR protocol, memory faults both ways;
# shared data must survive conversions of the neighbouring pages (the discard must not
# reach past the converted range). Leaves exactly 5 + 512 + 2 pages shared.
COMMON_FORMS = f"""
print runtime: every form
# 4K, 253 pages: the largest run (one descriptor of 253 entries on v12)
psc shared 0x2000000 253 4k
expect-shared-state 0x2000000 253
psc private 0x2000000 253
expect-private 0x2000000 253
# 4K, a few pages; mark the last page before a 2M boundary
psc shared 0x21fb000 5 4k
expect-shared-state 0x21fb000 5
write-shared 0x21ff000 {MARK.hex()}
write-shared 0x21fb000 {MARK.hex()}
# 2M both ways, next to the marked page
psc shared 0x2200000 2 2m
expect-shared-state 0x2200000 1024
expect-private 0x2600000 1
psc private 0x2200000 2 2m
expect-private 0x2200000 1024
expect-shared 0x21ff000 {MARK.hex()}
# leave one 2M page shared
psc shared 0x2800000 1 2m
expect-shared-state 0x2800000 512
expect-private 0x27ff000
expect-private 0x2a00000
# MSR protocol, one page each way
psc-msr shared 0x2c00000
expect-shared-state 0x2c00000
psc-msr private 0x2c00000
expect-private 0x2c00000
# memory faults: a shared access to three private pages, a private access back, and a
# shared access over a range of which half is shared already (only the rest faults)
fault shared 0x2c01000 0x3000
expect-shared-state 0x2c01000 3
fault private 0x2c01000 0x3000
expect-private 0x2c01000 3
psc shared 0x2d00000 2
fault shared 0x2d00000 0x4000
expect-shared-state 0x2d00000 4
fault private 0x2d02000 0x2000
expect-private 0x2d02000 2
# repeated requests for the state a page already has
psc shared 0x2800000 1 2m
psc-msr private 0x2c00000
expect-shared 0x21ff000 {MARK.hex()}
expect-shared 0x21fb000 {MARK.hex()}
report
"""
COMMON_SHARED = 5 + 512 + 2


@expand
class EveryFormTest(Runtime):
    def check(self, profile, script, shared):
        status, out, err, rep, evs = self.run_vmm(profile, script)

        ps = self.assert_clean_pass(status, out, err, rep, evs)
        self.assertEqual(ps["shared_pages"], shared)
        self.assertEqual(ps["private_pages"] + ps["shared_pages"], RAM_PAGES)
        self.assertEqual(ps["rejected_requests"], 0)
        self.assertGreater(ps["conversions"], 10)
        self.assertEqual(len(rep["attestation_reports"]), 1)
        self.assertIn("runtime: every form", out)

    @on(*UPSTREAM)
    def test_map_gpa_range_4k_2m_msr_and_faults_pass_and_counts_match(self, profile):
        self.check(profile, COMMON_FORMS + "shutdown\n", COMMON_SHARED)

    @on("v12")
    def test_msr_protocol_descriptors_resumed_2m_entry_and_faults_pass(self, profile):
        # v12 extras: raw descriptors with several entries and mixed ops, a half-done
        # 2M entry resumed at cur_page 256 (only its upper half may change), an entry
        # already complete (cur_page = its size, must be skipped), PSMASH/UNSMASH (no
        # conversion), and a descriptor resumed at cur_entry 2 (entries 0-1 untouched).
        v12 = f"""
psc shared 0x3000000 1 2m
psc-desc private:0x3000000:2m:256
expect-shared-state 0x3000000 256
expect-private 0x3100000 256
psc-desc shared:0x3200000 shared:0x3201000 private:0x3202000 shared:0x3203000 psmash:0x3400000 unsmash:0x3400000 shared:0x3204000:4k:1
expect-shared-state 0x3200000 2
expect-private 0x3202000
expect-shared-state 0x3203000
expect-private 0x3204000
psc-desc cur=2 shared:0x3300000 shared:0x3301000 shared:0x3302000 shared:0x3303000
expect-private 0x3300000 2
expect-shared-state 0x3302000 2
psc-desc private:0x3200000 private:0x3201000 private:0x3203000 private:0x3302000 private:0x3303000 private:0x3000000:2m
expect-private 0x3000000 512
expect-private 0x3200000 4
expect-private 0x3302000 2
expect-shared-state {GHCB_GPA:#x}
shutdown
"""
        # + the GHCB page, made shared by the guest before its first descriptor
        self.check(profile, COMMON_FORMS + v12, COMMON_SHARED + 1)


# ---------------------------------------------------------------------------------------
# 2. Certificates (7.0, KVM_EXIT_SNP_REQ_CERTS).
# ---------------------------------------------------------------------------------------

BUF = 0x3000000  # the guest's certificate buffer (4 pages made shared by each script)
# Buffers in 2 MiB regions nothing else touches (a huge page cannot populate them).
PRIVATE_BUF = 0x3400000
HALF_SHARED_BUF = 0x3600000
GARBAGE = bytes(range(256)) * 16  # one page


def table_two_pages():
    """ARK + ASK + VCEK: 96 + 1600 + 1500 + 1400 bytes, 2 pages."""
    return cert_table(("ark", fake_der(1, 1600)), ("ask", fake_der(2, 1500)),
                      ("vcek", fake_der(3, 1400)))


def certs_prologue():
    lines = ["psc shared %#x 4 4k" % BUF]
    for page in range(4):
        lines += hex_lines("write-shared", BUF + page * 4096, GARBAGE)
    return lines


def expect_table_lines(blob, npages_written=None):
    """The table byte for byte, zeroes to the end of its last page, and the guest's next
    page untouched (snpvmm maps only the pages the table needs)."""
    need = -(-len(blob) // 4096) if npages_written is None else npages_written
    lines = hex_lines("expect-shared", BUF, blob)
    lines += hex_lines("expect-shared", BUF + len(blob), b"\0" * (need * 4096 - len(blob)))
    lines += hex_lines("expect-shared", BUF + need * 4096, GARBAGE)
    return lines


@expand
class CertificateTest(Runtime):
    def certs_file(self, blob, name="certs.bin"):
        return self.write(name, blob)

    def run_certs(self, lines, certs, profile="7.0"):
        return self.run_vmm(profile, "\n".join(lines + ["shutdown", ""]), certs=certs)

    def test_enough_pages_get_the_table_byte_for_byte(self):
        blob = table_two_pages()
        self.assertEqual(len(blob), 4596)
        lines = certs_prologue() + ["certs %#x 4" % BUF] + expect_table_lines(blob)

        status, out, err, rep, evs = self.run_certs(lines, self.certs_file(blob))

        self.assert_clean_pass(status, out, err, rep, evs)

    def test_exactly_the_needed_pages_are_enough(self):
        # 4096 bytes need one page (DIV_ROUND_UP, not QEMU's over-count).
        blob = cert_table(("vcek", fake_der(5, 4096 - 48)))
        self.assertEqual(len(blob), 4096)
        lines = certs_prologue() + ["certs %#x 1" % BUF] + expect_table_lines(blob)

        status, out, err, rep, evs = self.run_certs(lines, self.certs_file(blob))

        self.assert_clean_pass(status, out, err, rep, evs)

    def test_too_few_pages_get_enospc_with_the_needed_count_and_nothing_written(self):
        blob = table_two_pages()
        lines = certs_prologue() + ["certs %#x 1 expect=enospc:2" % BUF]
        lines += hex_lines("expect-shared", BUF, GARBAGE)  # untouched
        lines += ["certs %#x 2" % BUF] + expect_table_lines(blob)

        status, out, err, rep, evs = self.run_certs(lines, self.certs_file(blob))

        self.assert_clean_pass(status, out, err, rep, evs)

    def test_buffer_outside_ram_gets_an_error_and_the_vmm_keeps_running(self):
        # EIO (certs.h: the pages cannot be mapped); the guest sees a failure and the
        # next request is served normally. Cases: above RAM, the PCI hole, above 4 GiB,
        # and a two-page table into a buffer whose second page is past the end of RAM.
        blob = table_two_pages()
        lines = certs_prologue()
        for gpa in (0x4000000, 0xc0000000, 0x100000000, 0xffffffffff000, 0x3fff000):
            lines.append("certs %#x 2 expect=error" % gpa)
        lines += ["certs %#x 2" % BUF] + expect_table_lines(blob)

        status, out, err, rep, evs = self.run_certs(lines, self.certs_file(blob))

        self.assert_clean_pass(status, out, err, rep, evs)

    def test_buffer_in_private_memory_gets_an_error_and_nothing_is_written(self):
        # The certificate pages are shared memory (GHCB 56421 "SNP Extended Guest
        # Request"). snpvmm used to write the table through its shared view of private
        # pages and answer 0: the guest saw nothing, and every such request made the host
        # keep memory. Now: EIO (SNP_GUEST_VMM_ERR_GENERIC), the shared view untouched,
        # for a wholly private buffer and for one whose second page is private; then a
        # request into shared pages is served as before.
        blob = table_two_pages()
        lines = certs_prologue()
        lines += ["certs %#x 4 expect=error" % PRIVATE_BUF,
                  "expect-shared-view-unused %#x 4" % PRIVATE_BUF,
                  "expect-private %#x 4" % PRIVATE_BUF,
                  "psc shared %#x 1" % HALF_SHARED_BUF,
                  "certs %#x 2 expect=error" % HALF_SHARED_BUF,
                  "expect-shared-view-unused %#x 2" % HALF_SHARED_BUF]
        lines += ["certs %#x 4" % BUF] + expect_table_lines(blob)

        status, out, err, rep, evs = self.run_certs(lines, self.certs_file(blob))

        self.assert_clean_pass(status, out, err, rep, evs)

    def test_exclusive_ofd_lock_of_another_process_gets_eagain(self):
        path = self.certs_file(table_two_pages())
        lines = certs_prologue() + ["certs %#x 4 expect=eagain" % BUF] * 3
        lines += hex_lines("expect-shared", BUF, GARBAGE)
        locker = subprocess.Popen([sys.executable, "-c", LOCKER, path], text=True,
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        try:
            self.assertEqual(locker.stdout.readline().strip(), "locked")

            status, out, err, rep, evs = self.run_certs(lines, path)
        finally:
            locker.communicate("go\n", timeout=30)
        self.assert_clean_pass(status, out, err, rep, evs)
        self.assertEqual(locker.returncode, 0)

    def run_with_operator(self, new, after):
        """Request 1 while an operator process holds the exclusive lock: EAGAIN. The guest
        then prints a marker and more than a pipe's worth of text: snpvmm stalls on its
        4 KiB stdout pipe (50 ms per byte) until this test reads on, which it does only
        after the operator has rewritten the file with `new` and unlocked. The script lines
        `after` then run against the new file."""
        path = self.certs_file(table_two_pages())
        new_path = self.write("new.bin", new)
        filler = ["print " + "x" * 3000] * 3  # ~9 KiB: the 4 KiB pipe + minutes of stall
        lines = certs_prologue() + ["certs %#x 4 expect=eagain" % BUF, "print PHASE-1-DONE"]
        script = "\n".join(lines + filler + after + ["shutdown", ""])

        locker = subprocess.Popen([sys.executable, "-c", LOCKER, path, new_path], text=True,
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        rfd, wfd = os.pipe()
        fcntl.fcntl(wfd, fcntl.F_SETPIPE_SZ, 4096)
        try:
            self.assertEqual(locker.stdout.readline().strip(), "locked")
            vmm = subprocess.Popen([os.environ["SNPVMM"],
                                    *self.command("7.0", script, path, MEM, ())],
                                   stdin=subprocess.DEVNULL, stdout=wfd, stderr=subprocess.PIPE)
            os.close(wfd)
            wfd = -1
            out = b""
            deadline = time.monotonic() + 30
            while b"PHASE-1-DONE\n" not in out and time.monotonic() < deadline:
                ready, _, _ = select.select([rfd], [], [], 1)
                if ready:
                    chunk = os.read(rfd, 256)
                    if not chunk:
                        break
                    out += chunk
            self.assertIn(b"PHASE-1-DONE\n", out)
            rest, _ = locker.communicate("go\n", timeout=30)
            self.assertEqual(rest.strip(), "released")
            while chunk := os.read(rfd, 65536):
                out += chunk
            err = vmm.stderr.read().decode(errors="replace")
            vmm.stderr.close()
            status = vmm.wait(timeout=60)
        finally:
            if wfd >= 0:
                os.close(wfd)
            os.close(rfd)
            if locker.poll() is None:
                locker.kill()
        rep, evs = self.collect()
        return status, out.decode(errors="replace"), err, rep, evs

    def test_operator_replaces_the_file_under_its_lock_while_the_guest_runs(self):
        # The file is re-read for every request: after the replacement the guest gets
        # the NEW table byte for byte.
        new = cert_table(("vlek", fake_der(9, 900)), ("crl", fake_der(10, 300)))

        result = self.run_with_operator(new, ["certs %#x 4" % BUF] + expect_table_lines(new))

        self.assert_clean_pass(*result)

    def test_file_made_invalid_while_running_gets_an_error_reply_not_a_crash(self):
        # A table that no longer validates when a request is served: EIO (certs.h
        # certs_ret_for_error), nothing written, and the VMM keeps running.
        bad = cert_table((uuid.UUID(int=1).bytes, b"x" * 10))
        after = ["certs %#x 4 expect=error" % BUF] + hex_lines("expect-shared", BUF, GARBAGE)

        self.assert_clean_pass(*self.run_with_operator(bad, after))

    def test_file_emptied_while_running_gets_an_error_reply_not_a_crash(self):
        # As above with a 0-byte file (an operator truncating it). Fails under UBSan:
        # certs_parse() computes NULL + 0 for the unmapped empty file (src/snp/certs.c).
        after = ["certs %#x 4 expect=error" % BUF] + hex_lines("expect-shared", BUF, GARBAGE)

        self.assert_clean_pass(*self.run_with_operator(b"", after))

    def test_without_certs_option_the_kernel_answers_with_the_empty_table(self):
        # No --certs: snpvmm does not enable KVM_SEV_SNP_ENABLE_REQ_CERTS, so KVM clears
        # the first 24 bytes itself (sev.c snp_handle_ext_guest_req(), kvm-x86 2026) and
        # never exits to userspace.
        lines = certs_prologue() + ["certs %#x 1" % BUF]
        lines += hex_lines("expect-shared", BUF, b"\0" * 24 + GARBAGE[24:])

        status, out, err, rep, evs = self.run_certs(lines, None)

        self.assert_clean_pass(status, out, err, rep, evs)

    @on("v12", "6.11", "6.17", "6.18", "6.19", launches=False)
    def test_certs_on_a_kernel_without_req_certs_is_a_clear_error(self, profile):
        path = self.certs_file(table_two_pages())
        status, _, err, _, evs = self.run_vmm(profile, "shutdown\n", certs=path)
        self.assert_one_error_line(status, err, "--certs", "KVM_X86_SEV_SNP_REQ_CERTS")
        self.assertEqual(evs[-1]["reason"], "vmm-error")

    def test_malformed_certificate_files_are_one_clear_error_at_start(self):
        ark, ask = ("ark", fake_der(1, 100)), ("ask", fake_der(2, 100))
        good = cert_table(ark, ask)
        bad_guid = uuid.UUID("00000000-1111-2222-3333-444444444444").bytes
        # A known GUID in the wrong (little-endian, Microsoft) byte order is unknown.
        ms_order = uuid.UUID("c0b406a4-a803-4952-9743-3fb6014cd0ae").bytes_le
        dup = cert_table(ark, ("ark", fake_der(3, 100)))
        zero_len = good[:24 + 20] + struct.pack("<I", 0) + good[48:]
        into_table = good[:16] + struct.pack("<I", 24) + good[20:]
        overlap = good[:24 + 16] + struct.pack("<I", 72 + 50) + good[44:]
        cases = {
            "unknown GUID": (cert_table((bad_guid, b"x" * 10)), "unknown GUID 00000000-1111"),
            "GUID byte order": (cert_table((ms_order, b"x" * 10)), "unknown GUID"),
            "truncated": (good[:-1], "runs past the end"),
            "no terminator": (good[:48], "no all-zero terminator"),
            "duplicate kind": (dup, "both ARK"),
            "length 0": (zero_len, "length 0"),
            "offset inside the table": (into_table, "overlaps the table"),
            "overlapping certificates": (overlap, "overlap"),
            "over 16 KiB": (cert_table(("vcek", b"v" * 0x4000)), "16384"),
        }
        for name, (blob, needle) in cases.items():
            with self.subTest(name):
                path = self.certs_file(blob, "bad.bin")
                status, _, err, rep, evs = self.run_vmm("7.0", "shutdown\n",
                                                        certs=path)
                self.assert_one_error_line(status, err, needle)
                if blob:
                    self.assertIn("bad.bin", err)
                self.assertEqual(evs[-1]["reason"], "vmm-error")
                if rep is not None:
                    self.assertEqual(rep["guest_script"], "not run")

    def test_empty_certificate_file_is_one_clear_error_at_start(self):
        # Fails under UBSan: file_map_open() leaves data NULL for a 0-byte file and
        # certs_parse() computes `buf + 0` on it before checking the length
        # (src/snp/certs.c: "applying zero offset to null pointer").
        path = self.certs_file(b"", "empty.bin")

        status, _, err, _, evs = self.run_vmm("7.0", "shutdown\n", certs=path)

        self.assert_one_error_line(status, err, "empty.bin", "no all-zero terminator")
        self.assertEqual(evs[-1]["reason"], "vmm-error")

    def test_missing_certificate_file_is_one_clear_error(self):
        status, _, err, _, _ = self.run_vmm("7.0", "shutdown\n",
                                            certs=os.path.join(self.dir, "absent.bin"))
        self.assert_one_error_line(status, err, "absent.bin")


# ---------------------------------------------------------------------------------------
# 3. Hostile page-state input.
# ---------------------------------------------------------------------------------------

@expand
class HostileTest(Runtime):
    def check(self, profile, script, rejected, shared, mem=MEM):
        status, out, err, rep, evs = self.run_vmm(profile, script, mem=mem)

        ps = self.assert_clean_pass(status, out, err, rep, evs)
        self.assertEqual(ps["rejected_requests"], rejected)
        self.assertEqual(ps["shared_pages"], shared)
        return ps

    @on("v12")
    def test_hostile_descriptors_get_the_specified_replies_and_a_clean_exit(self, profile):
        # Replies from include/snp/psc.h psc_process_descriptor(); 65 MiB of RAM so that
        # a 2M entry at 64 MiB crosses the end of the memslot.
        script = """
# out of range: above RAM, the PCI hole, above 4 GiB (no RAM there), the last 52-bit gfn
psc-desc shared:0x4200000 expect=invalid-entry
psc-desc shared:0xc0000000 expect=invalid-entry
psc-desc private:0x100000000 expect=invalid-entry
psc-desc shared:0xffffffffff000 expect=invalid-entry
# 2M entries crossing the end of RAM / the memslot, and entirely past it
psc-desc shared:0x4000000:2m expect=invalid-entry
psc-desc private:0x4000000:2m expect=invalid-entry
psc-desc shared:0x4200000:2m expect=invalid-entry
# 2M entry with a gfn that is not 512-aligned
psc-desc shared:0x2001000:2m expect=invalid-entry
psc-desc shared:0x21ff000:2m expect=invalid-entry
# cur_page beyond the entry
psc-desc shared:0x2000000:4k:2 expect=invalid-entry
psc-desc shared:0x2200000:2m:513 expect=invalid-entry
psc-desc shared:0x2200000:2m:4095 expect=invalid-entry
# unknown operations (0, 5..15)
psc-desc 0:0x2000000 expect=invalid-entry
psc-desc 5:0x2000000 expect=invalid-entry
psc-desc 15:0x2000000 expect=invalid-entry
# header: end_entry past the 253 entries of the GHCB buffer, reserved field set
psc-desc end=253 shared:0x2000000 expect=invalid-hdr
psc-desc end=300 shared:0x2000000 expect=invalid-hdr
psc-desc end=0xffff shared:0x2000000 expect=invalid-hdr
psc-desc reserved=1 shared:0x2000000 expect=invalid-hdr
psc-desc reserved=0x80000000 shared:0x2000000 expect=invalid-hdr
expect-private 0x2000000 1024
# cur_entry > end_entry: nothing to do, success, nothing converted
psc-desc cur=2 end=1 shared:0x2000000 shared:0x2001000
psc-desc cur=0xffff end=0 shared:0x2000000
expect-private 0x2000000 2
# a valid entry, then a bad one: the first is done, the reply names the second
psc-desc shared:0x2400000 shared:0x4200000 expect=invalid-entry
expect-shared-state 0x2400000
psc-desc shared:0x2401000 7:0x2402000 shared:0x2403000 expect=invalid-entry
expect-shared-state 0x2401000
expect-private 0x2402000 2
# end_entry past the entries written: entry 1 is all zeroes (op 0)
psc-desc end=5 shared:0x2500000 expect=invalid-entry
expect-shared-state 0x2500000
# repeated and overlapping entries with the same operation: not an error
psc-desc shared:0x2600000 shared:0x2600000 shared:0x2600000
psc-desc shared:0x2800000:2m shared:0x2801000 shared:0x2800000:2m shared:0x29ff000
expect-shared-state 0x2600000
expect-shared-state 0x2800000 512
# a 2M entry that ends exactly at the end of RAM is fine
psc-desc shared:0x3e00000:2m
expect-shared-state 0x3e00000 512
expect-private 0x4000000 256
psc-desc private:0x3e00000:2m private:0x2800000:2m private:0x2600000
# the guest still works after all of it
psc shared 0x2000000 4
psc-msr shared 0x2004000
expect-shared-state 0x2000000 5
shutdown
"""
        # 20 + 2 + 1 rejections: every expect=invalid-* line above.
        # shared at the end: 0x2400000, 0x2401000, 0x2500000, 5 pages, the GHCB.
        ps = self.check(profile, script, rejected=23, shared=3 + 5 + 1, mem="65M")
        self.assertEqual(ps["private_pages"] + ps["shared_pages"], 65 << 8)

    @on("v12")
    def test_descriptor_in_a_ghcb_made_private_gets_an_error(self, profile):
        # The VMM writes progress into the descriptor, so it must be in shared memory (as
        # a GHCB is): written through the shared view of a private page, the progress
        # would reach nothing the guest sees. A guest that makes its GHCB private again
        # gets a generic error and nothing converted.
        script = f"""
psc-desc shared:0x2000000
psc-msr private {GHCB_GPA:#x}
psc-desc shared:0x2001000 expect=error
expect-private 0x2001000
shutdown
"""
        ps = self.check(profile, script, rejected=1, shared=1)
        self.assertEqual(ps["private_pages"] + ps["shared_pages"], RAM_PAGES)

    @on(*UPSTREAM)
    def test_hostile_map_gpa_range_outside_ram_gets_einval(self, profile):
        # KVM forwards the guest's GFNs without a memslot check (snp_begin_psc): the PCI
        # hole, above RAM, a run that wraps, and a run crossing the end of RAM.
        script = """
psc shared 0xc0000000 1 4k expect=einval
psc shared 0x10000000000 1 4k expect=einval
psc shared 0xffffffffff000 2 4k expect=einval
psc shared 0x3fff000 2 4k expect=einval
psc private 0xfee00000 1 2m expect=einval
psc shared 0x2000000 1 4k
expect-shared-state 0x2000000 1
shutdown
"""
        self.check(profile, script, rejected=5, shared=1)

    @on("v12")
    def test_hostile_msr_requests_outside_ram_get_an_error(self, profile):
        script = """
psc-msr shared 0xc0000000 expect=error
psc-msr private 0x10000000000 expect=error
psc-msr shared 0x2000000
expect-shared-state 0x2000000 1
shutdown
"""
        status, out, err, rep, evs = self.run_vmm(profile, script)

        ps = self.assert_clean_pass(status, out, err, rep, evs)
        self.assertEqual(ps["rejected_requests"], 2)

    @on(*UPSTREAM)
    def test_requests_at_the_edges_of_ram_and_repeats_are_served(self, profile):
        # Out-of-range requests are in the test above and tests/unit/test_psc.c;
        # what a well-behaved guest can send is checked here: the first and last pages of RAM, a run
        # ending exactly at the end of RAM, the largest 2M run that fits, repeated and
        # overlapping runs, and requests for the state a range already has.
        script = """
psc shared 0x0 1
psc shared 0x3fff000 1
psc-msr shared 0x3ffe000
psc shared 0x3f03000 253
expect-shared-state 0x3f03000 253
expect-shared-state 0x3ffe000 2
psc private 0x3f03000 253
psc shared 0x0 32 2m
expect-shared-state 0x0 16384
psc shared 0x0 32 2m
psc private 0x1000000 8 2m
psc private 0x1000000 4 2m
psc private 0x1200000 4 2m
expect-private 0x1000000 4096
psc private 0x0 8 2m
psc private 0x2000000 16 2m
psc shared 0x2000000 3
psc shared 0x2001000 3
psc shared 0x2000000 2
expect-shared-state 0x2000000 4
psc private 0x2003000 1
fault shared 0x2000000 0x8000
fault shared 0x2000000 0x8000
expect-shared-state 0x2000000 8
fault private 0x2004000 0x4000
shutdown
"""
        # shared at the end: 0x2000000..0x2003fff
        self.check(profile, script, rejected=0, shared=4)


@expand
class TerminationTest(Runtime):
    """Review of issue 10, finding 1: KVM's sev_handle_vmgexit() zeroes SW_EXITINFO1/2 in
    the guest's GHCB (svm_vmgexit_success(svm, 0)) before it handles TERM_REQUEST, and
    hands userspace only the GHCB's GPA: the reason cannot be read back from the page."""

    @on("v12", "6.11", "7.0")
    def test_ghcb_termination_says_kvm_does_not_forward_the_reason(self, profile):
        status, out, err, rep, evs = self.run_vmm(profile, "terminate-ghcb 1 2\n")

        lines = [l for l in err.splitlines() if "terminated" in l]
        self.assertEqual(status, 4, err)
        self.assertEqual(len(lines), 1, err)
        self.assertIn("through its GHCB at 0x2fff000", lines[0])
        self.assertIn("KVM does not forward the reason", lines[0])
        self.assertNotIn("reason set", err)
        self.assertEqual(evs[-1]["reason"], "terminated")

    @on("v12", "7.0")
    def test_msr_protocol_termination_names_its_reason(self, profile):
        status, out, err, rep, evs = self.run_vmm(profile, "terminate 1 2\n")

        self.assertEqual(status, 4, err)
        self.assertIn("reason set 1, code 2 (PVALIDATE)", err)


if __name__ == "__main__":
    harness.main()
