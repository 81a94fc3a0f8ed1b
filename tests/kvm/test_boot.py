#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""kvm tier: the bundled test guest boots through the real loader, run loop and devices
on this machine's /dev/kvm (--no-snp), and reports what it found in boot_params."""
import os
import subprocess

import harness
from harness import guest_sum, parse_report, snpvmm

harness.need_kvm()

MiB = 1 << 20
GiB = 1 << 30


def expected_e820_256m():
    """The E820 map for --mem 256M (include/vmm/boot.h): RAM, ACPI tables, the FACS page as
    ACPI NVS, RAM up to the VGA/ROM hole, the hole RESERVED, then RAM to the end; together
    exactly the memslot."""
    return [
        (0x0, 0xA000, 1),
        (0xA000, 0x3000, 3),
        (0xD000, 0x1000, 4),
        (0xE000, 0xA0000 - 0xE000, 1),
        (0xA0000, 0x60000, 2),
        (0x100000, 256 * MiB - 0x100000, 1),
    ]


class BootTest(harness.SnpvmmTest):
    def boot(self, *extra, initrd=None, mem="256M", smp="2", append="a b c"):
        args = ["--no-snp", "--kernel", self.guest, "--mem", mem, "--smp", smp,
                "--append", append, *extra]
        if initrd is not None:
            args += ["--initrd", self.write("initrd.img", initrd)]
        status, out, err = snpvmm(*args)
        return status, parse_report(out), err

    def test_boot_reports_cmdline_initrd_and_e820_then_exits_0(self):
        initrd = bytes((i * 7 + 3) & 0xff for i in range(12345))

        status, rep, err = self.boot(initrd=initrd)

        self.assertEqual(status, 0, err)
        self.assertTrue(rep["done"], rep["lines"])
        self.assertEqual(rep["cmdline"], "a b c")
        self.assertEqual(rep["initrd"][1], len(initrd))
        self.assertEqual(rep["initrd"][2], guest_sum(initrd))
        self.assertEqual(rep["e820"], expected_e820_256m())
        self.assertEqual(rep["e820_count"], len(expected_e820_256m()))
        self.assertEqual(rep["boot_params"], 0x2000)

    def test_boot_with_guest_memfd_backend_works_where_the_kernel_allows(self):
        initrd = b"guest_memfd initrd" * 100

        status, rep, err = self.boot("--memory-backend", "gmem", initrd=initrd)

        if harness.kernel_can_mmap_guest_memfd():
            self.assertEqual(status, 0, err)
            self.assertEqual(rep["initrd"][2], guest_sum(initrd))
            self.assertEqual(rep["e820"], expected_e820_256m())
        else:
            self.assert_one_error_line(status, err, "--memory-backend gmem",
                                       "cannot mmap a guest_memfd", expect_status=1)
            self.assertFalse(rep["started"])

    def test_default_backend_boots_on_any_kernel(self):
        status, rep, err = self.boot(initrd=b"auto" * 100)

        self.assertEqual(status, 0, err)
        self.assertTrue(rep["done"])

    def test_boot_with_anonymous_backend_works(self):
        status, rep, err = self.boot("--memory-backend", "anon", initrd=b"x" * 4096)

        self.assertEqual(status, 0, err)
        self.assertTrue(rep["done"])

    def test_acpi_madt_lists_every_vcpu(self):
        status, rep, err = self.boot(smp="4")

        self.assertEqual(status, 0, err)
        self.assertEqual(rep["cpus"], 4)
        self.assertNotEqual(rep["rsdp"], 0)

    def test_initrd_is_placed_inside_ram_and_page_aligned(self):
        initrd = os.urandom(64 * 1024)

        status, rep, err = self.boot(initrd=initrd, smp="1")

        addr, size, _ = rep["initrd"]
        self.assertEqual(status, 0, err)
        self.assertEqual(addr % 4096, 0)
        self.assertLessEqual(addr + size, 256 * MiB)
        self.assertGreaterEqual(addr, 0x100000)

    def test_no_initrd_reports_zero_size(self):
        status, rep, err = self.boot(smp="1")

        self.assertEqual(status, 0, err)
        self.assertEqual(rep["initrd"][1], 0)

    def test_empty_cmdline_is_passed_as_empty(self):
        status, rep, err = self.boot(append="", smp="1")

        self.assertEqual(status, 0, err)
        self.assertEqual(rep.get("cmdline"), "")

    def test_setup_data_nodes_reach_the_guest_in_order(self):
        a = self.write("a.bin", b"first node payload")
        b = self.write("b.bin", bytes(range(256)) * 3)

        status, rep, err = self.boot("--setup-data", f"0x10,{a}", "--setup-data", f"17,{b}",
                                     smp="1")

        self.assertEqual(status, 0, err)
        self.assertEqual([(t, l, s) for _, t, l, s in rep["setup_data"]],
                         [(0x10, 18, guest_sum(b"first node payload")),
                          (17, 768, guest_sum(bytes(range(256)) * 3))])

    def test_ram_above_3g_continues_at_4g_in_e820(self):
        status, rep, err = self.boot(mem="4G", smp="1")

        ram = [(a, s) for a, s, t in rep["e820"] if t == 1]
        self.assertEqual(status, 0, err)
        self.assertIn((0x100000000, 1 * GiB), ram)
        self.assertEqual(max(a + s for a, s, _ in rep["e820"] if a < 0x100000000), 3 * GiB)

    def test_console_file_receives_the_report(self):
        path = os.path.join(self.dir, "console.log")

        status, rep, err = self.boot("--console", f"file:{path}", smp="1")

        with open(path) as f:
            self.assertIn("snpvmm-test-guest: done", f.read())
        self.assertEqual(status, 0, err)
        self.assertFalse(rep["started"])

    def test_triple_fault_ends_with_status_3_and_one_line(self):
        img = bytearray(self.guest_bytes())
        payload = (img[0x1F1] or 4) * 512 + 512
        # ud2 as the first instruction at the 64-bit entry: with KVM's reset IDT (base 0,
        # zeroed RAM) the #UD cannot be delivered, which escalates to a triple fault.
        img[payload + 0x200:payload + 0x202] = b"\x0f\x0b"
        kernel = self.write("crash.bzImage", bytes(img))

        status, out, err = snpvmm("--no-snp", "--kernel", kernel, "--mem", "64M")

        self.assertEqual(status, 3, err)
        self.assert_one_error_line(status, err, "triple-faulted")
        self.assertNotIn("snpvmm-test-guest: start", out)

    def patched_guest(self, name, code: bytes) -> str:
        """The test guest with `code` as the first instructions of its 64-bit entry."""
        img = bytearray(self.guest_bytes())
        payload = (img[0x1F1] or 4) * 512 + 512
        img[payload + 0x200:payload + 0x200 + len(code)] = code
        return self.write(name, bytes(img))

    def test_halt_with_interrupts_off_ends_with_status_3_and_one_line(self):
        # cli; hlt; jmp back to the hlt: the BSP halts with RFLAGS.IF=0 for ever and the
        # APs never get their start-up IPI. KVM keeps such a vCPU inside KVM_RUN; the halt
        # watch must see it and end the VM as a crash.
        kernel = self.patched_guest("cli-hlt.bzImage", b"\xfa\xf4\xeb\xfd")

        for smp in ("1", "2"):
            with self.subTest(smp=smp):
                status, out, err = snpvmm("--no-snp", "--kernel", kernel, "--mem", "64M",
                                          "--smp", smp, timeout=60)

                self.assertEqual(status, 3, err)
                self.assert_one_error_line(status, err, "halted with interrupts disabled")

    def test_idle_guest_with_interrupts_on_keeps_running(self):
        # sti; hlt; jmp back: halted but interruptible. The halt watch must not end it, so
        # snpvmm is still running when the test gives up on it.
        kernel = self.patched_guest("sti-hlt.bzImage", b"\xfb\xf4\xeb\xfd")

        with self.assertRaises(subprocess.TimeoutExpired):
            snpvmm("--no-snp", "--kernel", kernel, "--mem", "64M", "--smp", "1", timeout=5)

    def test_console_none_discards_output(self):
        status, rep, err = self.boot("--console", "none", smp="1")

        self.assertEqual(status, 0, err)
        self.assertFalse(rep["started"])


if __name__ == "__main__":
    harness.main()
