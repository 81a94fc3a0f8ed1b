#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""End-to-end conversion-handling throughput of the real snpvmm binary against the
simulated SNP host (docs/sim.md, docs/sim-guest.md). Not a test: it prints numbers,
it asserts nothing about time.

For every workload it generates a guest script with N conversions, runs

  snpvmm --sim=PROFILE --sim-guest SCRIPT --kernel BZIMAGE --mem 1G --sev-features none
         --console none --events EVENTS

RUNS times, interleaved with a baseline run (same launch, a script with no conversions),
and reports medians of:
  - wall:   (wall time of the run - wall time of the baseline) / conversions. Includes the
            simulator parsing the (large) script and its bookkeeping.
  - guest:  (guest-exit.time - launch-finished.time from --events) / conversions: only the
            guest phase, i.e. KVM_RUN exits + snpvmm handling + simulated ioctls.
The number of conversions is taken from snpvmm's own "page-state" event and checked.

With --profile it also runs each workload once under `perf record -g` (build snpvmm with
-fno-omit-frame-pointer for usable user stacks) and splits the vCPU thread's samples into:
the simulated host (src/sim/*), snpvmm's own code by source file, and real-kernel work
snpvmm asks for (fallocate(PUNCH_HOLE) on the guest_memfd, madvise(DONTNEED)).

Usage: bench/sim_conversions.py --snpvmm BUILD/snpvmm --kernel BUILD/tests/guest/test-guest.bzImage
       [--n 200000] [--runs 5] [--profile] [--only a,b,...]
"""
import argparse
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter

MiB = 1 << 20
GiB = 1 << 30
# Conversions live in [256 MiB, 1 GiB): clear of the kernel/initrd, the default v12 GHCB
# (0x2fff000) and the boot structures; all of it is RAM in a 1G guest.
LO, HI = 256 * MiB, 1 * GiB


def gen_4k(n, rnd):
    """(a) 4K MAP_GPA_RANGE: n/2 pages go shared and back (one exit each)."""
    lines = []
    for i in range(n // 2):
        g = LO + (i % ((HI - LO) // 4096)) * 4096
        lines += [f"psc shared {g:#x} 1 4k", f"psc private {g:#x} 1 4k"]
    return lines


def gen_2m(n, rnd):
    """(b) 2M MAP_GPA_RANGE: n/2 2 MiB frames go shared and back."""
    lines = []
    frames = (HI - LO) // (2 * MiB)
    for i in range(n // 2):
        g = LO + (i % frames) * 2 * MiB
        lines += [f"psc shared {g:#x} 1 2m", f"psc private {g:#x} 1 2m"]
    return lines


def gen_mix(n, rnd):
    """(c) Linux-boot-like: 64 MiB swiotlb shared in 32 2M steps, 2 x 64 per-CPU GHCB
    pages and 16 decrypted-bss pages shared (scattered 4K), then scattered 4K churn until
    n conversions: 80% MAP_GPA_RANGE shared/private pairs, 20% implicit conversions by a
    memory fault (shared access to a private page, then a private access back)."""
    lines = []
    swiotlb = 768 * MiB
    for i in range(32):
        lines.append(f"psc shared {swiotlb + i * 2 * MiB:#x} 1 2m")
    pages = list(range(LO // 4096, swiotlb // 4096))
    bss = (LO + 64 * MiB) // 4096                # a decrypted .bss range, page by page
    pages = [p for p in pages if not bss <= p < bss + 32]
    rnd.shuffle(pages)
    for p in pages[:2 * 64]:                     # per-CPU GHCBs + hv pages
        lines.append(f"psc shared {p * 4096:#x} 1 4k")
    for k in range(16):
        lines.append(f"psc shared {(bss + 2 * k) * 4096:#x} 1 4k")
    used = 2 * 64 + 16 + 32
    i = 2 * 64 + 16
    while used + 2 <= n:
        g = pages[i] * 4096
        i = i + 1 if i + 1 < len(pages) else 2 * 64 + 16   # churn pages come back private
        if rnd.random() < 0.2:
            lines += [f"fault shared {g:#x} 0x1000", f"fault private {g:#x} 0x1000"]
        else:
            lines += [f"psc shared {g:#x} 1 4k", f"psc private {g:#x} 1 4k"]
        used += 2
    return lines


def gen_2m_first(n, rnd):
    """(b') every 2 MiB frame of [256 MiB, 1 GiB) once shared and back: the first
    conversion of a frame frees 512 populated guest_memfd pages (fallocate), later ones
    punch an existing hole. Ignores n (768 conversions): read the guest-phase column."""
    lines = []
    for i in range((HI - LO) // (2 * MiB)):
        g = LO + i * 2 * MiB
        lines += [f"psc shared {g:#x} 1 2m", f"psc private {g:#x} 1 2m"]
    return lines


def _desc_lines(n, scattered):
    """v12 GHCB descriptors of 253 4K entries: every entry a separate conversion
    (scattered: every other page), each descriptor followed by one going back."""
    lines = []
    per = 253
    stride = 2 if scattered else 1
    base = LO
    ndesc = max(1, n // per // 2)
    span = per * stride * 4096
    for d in range(ndesc):
        b = base + (d % ((HI - LO) // span)) * span
        gp = [b + k * stride * 4096 for k in range(per)]
        # numeric ops (1 private, 2 shared) keep the line under the parser's 4 KiB
        lines.append("psc-desc " + " ".join(f"2:{g:#x}" for g in gp))
        lines.append("psc-desc " + " ".join(f"1:{g:#x}" for g in gp))
    return lines


def gen_desc(n, rnd):
    return _desc_lines(n, True)


def gen_msr(n, rnd):
    """v12 MSR protocol: one 4K page per request, shared and back."""
    lines = []
    for i in range(n // 2):
        g = LO + (i % ((HI - LO) // 4096)) * 4096
        lines += [f"psc-msr shared {g:#x}", f"psc-msr private {g:#x}"]
    return lines


# name -> (profile, generator, description, conversions per n)
WORKLOADS = {
    "4k": ("upstream", gen_4k, "(a) 4K MAP_GPA_RANGE shared+back"),
    "2m": ("upstream", gen_2m, "(b) 2M MAP_GPA_RANGE shared+back (repeat)"),
    "2m-first": ("upstream", gen_2m_first, "(b') 2M, each frame once (first touch)"),
    "mix": ("upstream", gen_mix, "(c) Linux-boot-like mix"),
    "v12-desc": ("v12", gen_desc, "v12 PSC descriptors, 253 scattered 4K entries"),
    "v12-msr": ("v12", gen_msr, "v12 MSR-protocol PSC, 4K"),
}


def write_script(path, lines):
    with open(path, "w") as f:
        f.write("\n".join(lines))
        f.write("\nshutdown\n")


def run_once(a, profile, script, events, prefix=()):
    cmd = list(prefix) + [a.snpvmm, f"--sim={profile}", "--sim-guest", script,
                          "--kernel", a.kernel, "--mem", "1G", "--sev-features", "none",
                          "--console", "none", "--events", events]
    t0 = time.perf_counter()
    p = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - t0
    if p.returncode != 0:
        sys.exit(f"snpvmm failed ({p.returncode}): {' '.join(cmd)}\n{p.stderr}")
    ev = {}
    with open(events) as f:
        for line in f:
            e = json.loads(line)
            ev[e["event"]] = e
    guest = ev["guest-exit"]["time"] - ev["launch-finished"]["time"]
    return wall, guest, ev["page-state"]["conversions"]


def source_map(src):
    """function name -> source file, from the definitions in src/**/*.c"""
    m = {}
    pat = re.compile(r"^(?:static\s+)?(?:inline\s+)?[A-Za-z_][\w\s\*]*?\b(\w+)\(", re.M)
    for root, _, files in os.walk(src):
        for fn in files:
            if fn.endswith(".c"):
                p = os.path.join(root, fn)
                with open(p, errors="replace") as f:
                    for name in pat.findall(f.read()):
                        m.setdefault(name, os.path.relpath(p, os.path.dirname(src)))
    return m


def classify(chain, funcs):
    """chain: [(sym, dso)] leaf first -> category"""
    for sym, dso in chain:
        if dso == "[kernel.kallsyms]":
            if sym.startswith("__x64_sys_fallocate") or sym.startswith("vfs_fallocate"):
                return "real kernel: fallocate(PUNCH_HOLE) guest_memfd"
            if sym.startswith("__x64_sys_madvise") or sym.startswith("do_madvise"):
                return "real kernel: madvise(DONTNEED) shared view"
    for sym, dso in chain:
        if os.path.basename(dso) != "snpvmm":
            continue
        f = funcs.get(sym.split(".")[0])
        if f is None:
            continue
        if f.startswith("src/sim/"):
            return "simulated host (src/sim: vCPU/guest script, attributes, pre-fault)"
        return "snpvmm: " + f
    kern = any(d == "[kernel.kallsyms]" for _, d in chain)
    return "other (libc/kernel, unattributed)" if not kern else "real kernel: other"


def profile_run(a, name, script, work):
    data = os.path.join(work, f"{name}.perf")
    events = os.path.join(work, f"{name}.perf.events")
    run_once(a, WORKLOADS[name][0], script, events,
             prefix=("perf", "record", "-q", "-F", "10000", "-g", "-o", data, "--"))
    out = subprocess.run(["perf", "script", "-i", data, "-F", "pid,tid,ip,sym,dso"],
                         capture_output=True, text=True).stdout
    funcs = source_map(os.path.join(a.srcdir, "src"))
    cats = Counter()
    total = 0
    for block in out.split("\n\n"):
        lines = [l for l in block.splitlines() if l.strip()]
        if not lines:
            continue
        head = lines[0].split()
        pid, tid = head[0].split("/") if "/" in head[0] else (head[0], head[1])
        if pid == tid:          # main thread: launch, script parsing, teardown
            continue
        chain = []
        for l in lines[1:]:
            m = re.match(r"\s*[0-9a-f]+\s+(\S+?)(?:\+0x[0-9a-f]+)?\s+\((.*)\)", l)
            if m:
                chain.append((m.group(1), m.group(2)))
        cats[classify(chain, funcs)] += 1
        total += 1
    return total, cats


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--snpvmm", default=os.environ.get("SNPVMM", "build/snpvmm"))
    ap.add_argument("--kernel", default="build/tests/guest/test-guest.bzImage")
    ap.add_argument("--srcdir", default=os.path.dirname(here))
    ap.add_argument("--n", type=int, default=200000, help="conversions per workload")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--only", default="", help="comma-separated workloads")
    ap.add_argument("--profile", action="store_true", help="perf record split")
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    a = ap.parse_args()
    names = [w for w in a.only.split(",") if w] or list(WORKLOADS)
    work = tempfile.mkdtemp(prefix="sim-conv-")
    rnd = random.Random(1)
    print(f"# snpvmm {a.snpvmm}, n={a.n}, runs={a.runs}, work dir {work}")
    base = {}
    rows = []
    for name in names:
        profile, gen, desc = WORKLOADS[name]
        script = os.path.join(work, f"{name}.txt")
        write_script(script, gen(a.n, rnd))
        if profile not in base:
            base[profile] = os.path.join(work, f"empty-{profile}.txt")
            write_script(base[profile], ["print baseline"])
        bw, bg, ww, wg = [], [], [], []
        conv = None
        for _ in range(a.runs):      # interleaved, so drift hits both alike
            w, g, c0 = run_once(a, profile, base[profile], os.path.join(work, "b.jsonl"))
            bw.append(w)
            bg.append(g)
            w, g, c = run_once(a, profile, script, os.path.join(work, "w.jsonl"))
            ww.append(w)
            wg.append(g)
            if conv is not None and c != conv:
                sys.exit(f"{name}: conversion count changed between runs")
            conv = c - c0
        mb, mw, mbg, mg = map(statistics.median, (bw, ww, bg, wg))
        d_wall = mw - mb
        d_guest = mg - mbg
        row = dict(name=name, desc=desc, profile=profile, conversions=conv,
                   lines=sum(1 for _ in open(script)), base_wall=mb, wall=mw,
                   base_guest=mbg, guest=mg,
                   us_wall=d_wall / conv * 1e6, us_guest=d_guest / conv * 1e6,
                   cps_wall=conv / d_wall, cps_guest=conv / d_guest,
                   walls=ww, guests=wg)
        rows.append(row)
        print(json.dumps(row), flush=True)
    print()
    print("| workload | profile | conversions | baseline wall s | wall s | µs/conv (wall - baseline) | conv/s | guest phase s | µs/conv (guest phase) | conv/s |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['desc']} | {r['profile']} | {r['conversions']} | {r['base_wall']:.3f} | "
              f"{r['wall']:.3f} | {r['us_wall']:.2f} | {r['cps_wall']:.0f} | {r['guest']:.3f} | "
              f"{r['us_guest']:.2f} | {r['cps_guest']:.0f} |")
    if a.profile:
        if not shutil.which("perf"):
            sys.exit("perf not found")
        print()
        for r in rows:
            total, cats = profile_run(a, r["name"], os.path.join(work, f"{r['name']}.txt"), work)
            print(f"## {r['desc']}: {total} vCPU-thread samples ({r['conversions']} conversions)")
            print("| where | share | µs/conv (of guest phase) |")
            print("|---|---:|---:|")
            for c, k in cats.most_common():
                print(f"| {c} | {100 * k / total:.1f}% | {r['us_guest'] * k / total:.2f} |")
            print()
    if not a.keep:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
