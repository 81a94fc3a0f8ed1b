#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""PSP work of a launch in both boot modes, on the simulated SNP host (docs/sim.md). Not a
test: it prints numbers and asserts nothing.

For RAM 1, 4 and 16 GiB and initrd 4, 64 and 256 MiB (random bytes) it runs

  snpvmm --sim=PROFILE --boot hashes|content --kernel KERNEL --initrd INITRD --mem RAM
         --sev-features none --console none --sim-guest <print only> --sim-report R

and reads from the simulated host's report the PSP page operations (firmware_page_ops,
VMSAs counted apart) and the SNP_LAUNCH_UPDATE ioctls, then projects the launch time on a
real host at MS_PER_PAGE (default 1 ms) per PSP page (SEVeriFast measured ~256 ms for a
1 MiB OVMF, mushroom 16,102 pages in 16.48 s). The wall time of the simulated launch is
printed too; it says how fast the simulator is, not the PSP.

Usage: bench/boot_modes.py --snpvmm BUILD/snpvmm --kernel BZIMAGE [--profile 7.0]
       [--rams 1G,4G,16G] [--initrds 4,64,256] [--ms-per-page 1.0]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

MiB = 1 << 20


def launch(a, work, mode, ram, initrd):
    report = os.path.join(work, "report.json")
    script = os.path.join(work, "print.txt")
    with open(script, "w") as f:
        f.write("print bench\n")
    cmd = [a.snpvmm, f"--sim={a.profile}", "--boot", mode, "--kernel", a.kernel, "--initrd",
           initrd, "--mem", ram, "--sev-features", "none", "--console", "none",
           "--sim-guest", script, "--sim-report", report]
    t = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t
    if p.returncode != 0:
        sys.exit(f"{' '.join(cmd)}: status {p.returncode}\n{p.stderr}")
    with open(report) as f:
        rep = json.load(f)
    ops = rep["firmware_page_ops"]
    pages = sum(n for t, n in ops.items() if t != "VMSA")
    return pages, ops.get("VMSA", 0), rep["launch_updates"], wall


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--snpvmm", required=True)
    ap.add_argument("--kernel", required=True)
    ap.add_argument("--profile", default="7.0")
    ap.add_argument("--rams", default="1G,4G,16G")
    ap.add_argument("--initrds", default="4,64,256", help="MiB")
    ap.add_argument("--ms-per-page", type=float, default=1.0)
    a = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="snpvmm-bench-") as work:
        initrds = {}
        for mib in (int(x) for x in a.initrds.split(",")):
            path = os.path.join(work, f"initrd-{mib}M")
            with open(path, "wb") as f:
                for _ in range(mib):
                    f.write(os.urandom(MiB))
            initrds[mib] = path
        print(f"# profile {a.profile}, {a.ms_per_page} ms per PSP page, kernel "
              f"{os.path.basename(a.kernel)} ({os.path.getsize(a.kernel)} bytes)")
        print("| RAM | initrd | mode | PSP pages | VMSAs | LAUNCH_UPDATE ioctls | projected PSP time | simulated launch wall s |")
        print("|---|---:|---|---:|---:|---:|---:|---:|")
        for ram in a.rams.split(","):
            for mib, path in initrds.items():
                for mode in ("hashes", "content"):
                    pages, vmsas, updates, wall = launch(a, work, mode, ram, path)
                    proj = (pages + vmsas) * a.ms_per_page / 1000
                    human = f"{proj:.3f} s" if proj < 60 else f"{proj / 60:.1f} min"
                    print(f"| {ram} | {mib} MiB | {mode} | {pages} | {vmsas} | {updates} | "
                          f"{human} | {wall:.2f} |", flush=True)


if __name__ == "__main__":
    main()
