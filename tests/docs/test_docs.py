#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Issue 12: the CLI's documented surface. The man page (docs/snpvmm.1) is valid man(7)
without groff warnings and renders with man -l; the exit statuses are the same in
--help, the README and the man page; --version works before and after every subcommand;
measure --json and host-info --json are JSON and say what the text says."""
import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest

SRC = os.environ["SNPVMM_SOURCE_ROOT"]
SNPVMM = os.environ["SNPVMM"]
GUEST = os.environ["TEST_GUEST"]
MAN = os.path.join(SRC, "docs", "snpvmm.1")


def run(*args):
    p = subprocess.run([SNPVMM, *args], capture_output=True, timeout=120,
                       stdin=subprocess.DEVNULL)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


class ManPage(unittest.TestCase):
    def test_groff_finds_no_warnings(self):
        p = subprocess.run(["groff", "-man", "-ww", "-z", MAN], capture_output=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stderr, b"")

    @unittest.skipUnless(shutil.which("man"), "man is not installed")
    def test_man_renders_it(self):
        p = subprocess.run(["man", "-l", MAN], capture_output=True,
                           env={**os.environ, "MANWIDTH": "80", "MANPAGER": "cat",
                                "PAGER": "cat"})
        self.assertEqual(p.returncode, 0, p.stderr)
        text = p.stdout.decode()
        for section in ("NAME", "SYNOPSIS", "SIGNALS", "CONSOLE KEYS", "EXIT STATUS"):
            self.assertIn(section, text)

    def test_the_control_options_are_documented_in_help_and_man_page(self):
        status, usage, _ = run("--help")
        with open(MAN) as f:
            man = f.read().replace("\\-", "-")
        for opt in ("--control", "--shutdown-timeout", "--events", "--version"):
            self.assertIn(opt, usage)
            self.assertIn(opt, man)


SUBCOMMANDS = (None, "measure", "id-block", "verify", "host-info")


class OptionTables(unittest.TestCase):
    """Each subcommand parses and prints --help from one option table (src/cli/)."""

    def test_an_unknown_flag_is_one_usage_error_naming_the_subcommand(self):
        for sub in SUBCOMMANDS:
            # verify passes unknown flags on to measure, which names itself.
            args = (["verify", "--report", "r", "--vcek", "v", "--frobnicate"]
                    if sub == "verify" else [a for a in (sub, "--frobnicate") if a])
            name = "snpvmm measure" if sub == "verify" else " ".join(["snpvmm", sub or ""]).strip()
            with self.subTest(sub=sub):
                status, out, err = run(*args)
                self.assertEqual(status, 2, err)
                self.assertEqual(err.count("\n"), 1, err)
                self.assertIn("unknown option '--frobnicate'", err)
                self.assertIn(f"`{name}`", err)

    def test_every_flag_the_man_page_names_is_in_a_help_from_a_table(self):
        # The man page lists some options and sends the reader to --help for all of
        # them: it must not name a flag that no subcommand's table parses.
        helped = set()
        for sub in SUBCOMMANDS:
            status, usage, err = run(*[a for a in (sub, "--help") if a])
            self.assertEqual(status, 0, err)
            helped |= set(re.findall(r"^  (?:-\w, )?(--[a-z0-9-]+)", usage, re.M))
        with open(MAN) as f:
            man = f.read().replace("\\-", "-")
        for flag in sorted(set(re.findall(r"(?<![\w-])(--[a-z][a-z0-9-]*)", man))):
            with self.subTest(flag=flag):
                self.assertIn(flag, helped)


class MeasureOptions(unittest.TestCase):
    """`snpvmm measure` takes both layouts' flags from its table, and --help lists them."""

    @staticmethod
    def flags_of(usage):
        return set(re.findall(r"^  (?:-\w, )?(--[a-z0-9-]+)", usage, re.M))

    def test_measure_help_lists_every_launch_option(self):
        # snpvmm's own layout measures a launch of the same options.
        _, run_usage, _ = run("--help")
        status, usage, err = run("measure", "--help")
        self.assertEqual(status, 0, err)
        self.assertLessEqual(self.flags_of(run_usage), self.flags_of(usage))
        for flag in ("--ovmf", "--vcpus", "--json", "--trace", "--dump-vmsa"):
            self.assertIn(flag, self.flags_of(usage))

    def test_every_flag_measure_help_lists_is_one_measure_takes(self):
        _, usage, _ = run("measure", "--help")
        for flag in sorted(self.flags_of(usage) - {"--help", "--version"}):
            with self.subTest(flag=flag):
                status, _, err = run("measure", flag)
                self.assertEqual(status, 2, err)
                self.assertEqual(err.count("\n"), 1, err)
                self.assertNotIn("unknown option", err)

    def test_every_flag_the_man_page_gives_measure_is_in_its_help(self):
        with open(MAN) as f:
            man = f.read().replace("\\-", "-")
        entry = man.split(".B measure\n", 1)[1].split(".TP", 1)[0]
        named = set(re.findall(r"(?<![\w-])(--[a-z][a-z0-9-]*)", entry))
        self.assertIn("--dump-vmsa", named)
        _, usage, _ = run("measure", "--help")
        self.assertLessEqual(named, self.flags_of(usage))

    def test_a_flag_of_the_other_layout_is_one_line_naming_it(self):
        status, out, err = run("measure", "--kernel", GUEST, "--vcpus", "2")
        self.assertEqual((status, out, err.count("\n")), (2, "", 1), err)
        self.assertIn("--vcpus is an option of the QEMU + OVMF layout", err)
        status, out, err = run("measure", "--ovmf", "ovmf.fd", "--vcpus", "1", "--smp", "2")
        self.assertEqual((status, out, err.count("\n")), (2, "", 1), err)
        self.assertIn("--smp is a launch option of snpvmm's own layout", err)

    def test_dump_vmsa_forms_in_the_own_layout(self):
        # The old own layout took only `--dump-vmsa DIR` out of argv by hand.
        args = ["--kernel", GUEST, "--mem", "64M", "--smp", "2"]
        with tempfile.TemporaryDirectory() as tmp:
            pages = {}
            for form in (["--dump-vmsa", tmp], [f"--dump-vmsa={tmp}"], ["--dump-vmsa"]):
                with self.subTest(form=form):
                    p = subprocess.run([SNPVMM, "measure", *form, *args], cwd=tmp,
                                       capture_output=True, timeout=120)
                    self.assertEqual((p.returncode, p.stderr), (0, b""))
                    for i in (0, 1):
                        path = os.path.join(tmp, f"vmsa{i}.bin")
                        with open(path, "rb") as f:
                            pages.setdefault(i, set()).add(f.read())
                        os.unlink(path)
            self.assertEqual([len(pages[0]), len(pages[1])], [1, 1])
            self.assertEqual(len(next(iter(pages[0]))), 4096)


class ExitStatuses(unittest.TestCase):
    """The same numbers, with the same meaning, in the three places users look."""

    def test_help_readme_and_man_page_list_statuses_0_to_5(self):
        _, usage, _ = run("--help")
        with open(os.path.join(SRC, "README.md")) as f:
            readme = f.read()
        with open(MAN) as f:
            man = f.read()
        for text in (usage, readme):
            flat = " ".join(text.split())
            for n, word in [(0, "powered off"), (1, "VMM failed"), (2, "usage"),
                            (3, "crashed"), (4, "terminated"), (5, "stopped")]:
                self.assertRegex(flat, rf"{n} [^;]*{word}")
        man_statuses = re.findall(r"^\.B ([0-9])\n", man, re.M)
        self.assertEqual(man_statuses, ["0", "1", "2", "3", "4", "5"])


class Version(unittest.TestCase):
    def test_version_before_and_after_every_subcommand(self):
        for args in (["--version"], ["run", "--version"], ["--version", "measure"],
                     ["measure", "--version"], ["measure", "--kernel", "x", "--version"],
                     ["id-block", "--version"], ["verify", "--version"],
                     ["host-info", "--version"], ["--version", "host-info"]):
            status, out, err = run(*args)
            self.assertEqual((status, err), (0, ""), args)
            self.assertRegex(out, r"^snpvmm \d+\.\d+\.\d+\n$", args)

    def test_version_after_a_double_dash_is_not_the_flag(self):
        status, out, err = run("measure", "--", "--version")
        self.assertNotEqual(status, 0)


class Json(unittest.TestCase):
    def test_measure_json_has_the_digest_the_text_prints(self):
        args = ["--kernel", GUEST, "--mem", "64M", "--append", "console=ttyS0"]
        status, text, err = run("measure", *args)
        self.assertEqual(status, 0, err)
        status, out, err = run("measure", "--json", *args)
        self.assertEqual(status, 0, err)
        self.assertEqual(len(out.splitlines()), 1)
        doc = json.loads(out)
        self.assertEqual(doc["layout"], "snpvmm")
        self.assertEqual(doc["measurement"], text.strip())
        self.assertEqual(bytes.fromhex(doc["measurement"]).hex(), text.strip())

    def test_measure_json_refuses_a_trace_on_stdout(self):
        status, out, err = run("measure", "--json", "--kernel", GUEST, "--trace", "-")
        self.assertEqual(status, 2)
        self.assertEqual(out, "")
        self.assertEqual(len(err.splitlines()), 1)

    def test_measure_json_anywhere_and_twice_in_the_own_layout(self):
        # --json is a row of measure's table, not taken out of argv by hand: the old
        # code refused a second --json in snpvmm's own layout as an unknown option.
        args = ["--kernel", GUEST, "--mem", "64M"]
        _, text, _ = run("measure", *args)
        for argv in (["--json", *args], [*args, "--json"], ["--kernel", GUEST, "--json",
                                                             "--mem", "64M"],
                     ["--json", *args, "--json"]):
            with self.subTest(argv=argv):
                status, out, err = run("measure", *argv)
                self.assertEqual((status, err), (0, ""))
                self.assertEqual(json.loads(out)["measurement"], text.strip())

    def test_measure_json_after_a_double_dash_is_an_argument(self):
        status, out, err = run("measure", "--kernel", GUEST, "--", "--json")
        self.assertEqual((status, out), (2, ""))
        self.assertEqual(err.count("\n"), 1, err)
        self.assertIn("unexpected argument '--json'", err)

    def test_measure_json_refuses_every_spelling_of_a_trace_on_stdout(self):
        for trace in (["--trace", "-"], ["--trace=-"]):
            with self.subTest(trace=trace):
                status, out, err = run("measure", "--kernel", GUEST, *trace, "--json")
                self.assertEqual((status, out), (2, ""))
                self.assertIn("--json and --trace - both write to standard output", err)

    def test_host_info_json_on_the_simulated_host(self):
        status, out, err = run("host-info", "--json", "--sim=upstream")
        self.assertEqual(status, 0, err)
        doc = json.loads(out)
        self.assertEqual(doc["simulated"], "upstream")
        self.assertTrue(doc["ready"])
        self.assertIsNone(doc["missing"])
        self.assertTrue(doc["cpu"]["sev_snp"])
        self.assertEqual(doc["cbitpos"], 51)
        _, text, _ = run("host-info", "--sim=upstream")
        self.assertIn(f"C-bit:        {doc['cbitpos']}", text)

    def test_host_info_json_without_kvm_says_why(self):
        status, out, err = run("host-info", "--json", "--kvm-device", "/nonexistent/kvm")
        self.assertEqual(status, 1)
        doc = json.loads(out)
        self.assertFalse(doc["ready"])
        self.assertFalse(doc["kvm"]["usable"])
        self.assertIn("No such file", doc["kvm"]["error"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
