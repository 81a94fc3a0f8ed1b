# SPDX-License-Identifier: MIT
"""The L1 host of the nested tier: Debian's own kernel under QEMU TCG (-cpu max emulates
SVM), whose kvm_amd gives a real /dev/kvm. See tests/nested/README.md.

L1 boots from an initramfs built by mkinitramfs.sh and serves an agent on its second
serial port (l1-init.sh): the host writes a shell script into a scratch directory that L1
mounts over 9p at the same path, asks L1 to run it, and reads its stdout and stderr back
from the same directory. So the kvm tier's tests run unchanged on the host, with their
snpvmm commands executed in L1."""
import glob
import os
import queue
import re
import shlex
import shutil
import subprocess
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SKIP = 77

# Under TCG on a loaded 2-core machine L1 boots in 10-60 s; allow for much worse.
BOOT_TIMEOUT = 600
L1_MEM = "2G"
L1_SMP = "2"


class QemuUnavailable(Exception):
    """QEMU cannot run here: the tier skips."""


def debian_kernel():
    """The newest installed kernel in /boot that has its modules: (version, vmlinuz)."""
    found = []
    for path in glob.glob("/boot/vmlinuz-*"):
        kver = path[len("/boot/vmlinuz-"):]
        if os.path.isdir(f"/lib/modules/{kver}/kernel"):
            key = [(0, int(x), "") if x.isdigit() else (1, 0, x) for x in re.split(r"[.-]", kver)]
            found.append((key, kver, path))
    if not found:
        raise RuntimeError("no kernel with modules in /boot (install linux-image-amd64)")
    _, kver, path = max(found)
    return kver, path


def qemu_binary():
    qemu = shutil.which("qemu-system-x86_64")
    if not qemu:
        raise QemuUnavailable("qemu-system-x86_64 is not installed")
    p = subprocess.run([qemu, "-accel", "help"], capture_output=True, text=True, timeout=60)
    if p.returncode != 0 or "tcg" not in p.stdout.split():
        raise QemuUnavailable(f"{qemu} cannot run TCG: {p.stdout}{p.stderr}".strip())
    return qemu


def build_initramfs(workdir, snpvmm, guest, kver):
    subprocess.run([os.path.join(HERE, "mkinitramfs.sh"), workdir, snpvmm, guest, kver],
                   check=True, timeout=600)
    with open(os.path.join(workdir, "payload.sha256")) as f:
        return f.read().strip()


class L1:
    """One L1 VM and its agent."""

    def __init__(self, workdir, share, kernel):
        self.workdir = workdir
        self.share = share
        self.kernel = kernel
        self.console_log = os.path.join(workdir, "l1-console.log")
        self.qemu = None
        self.lines = queue.Queue()
        self.kvm = False
        self.release = ""
        self.next_id = 0

    def start(self):
        qemu = qemu_binary()
        if any(c.isspace() or c == "," for c in self.share):
            raise RuntimeError(f"the scratch path '{self.share}' must not hold blanks or commas")
        os.makedirs(os.path.join(self.share, ".agent"), exist_ok=True)
        self.t0 = time.monotonic()
        self.qemu = subprocess.Popen(
            [qemu, "-accel", "tcg", "-cpu", "max", "-m", L1_MEM, "-smp", L1_SMP,
             "-nodefaults", "-display", "none", "-no-reboot",
             "-kernel", self.kernel, "-initrd", os.path.join(self.workdir, "l1.cpio"),
             "-append", f"console=ttyS0 panic=-1 snpvmm.share={self.share}",
             "-serial", f"file:{self.console_log}", "-serial", "stdio",
             "-virtfs", f"local,path={self.share},mount_tag=scratch,security_model=none,"
                        "id=scratch"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        threading.Thread(target=self._read_agent, daemon=True).start()
        threading.Thread(target=self._read_stderr, daemon=True).start()
        line = self._expect(r"snpvmm-agent: ready kvm=(\d) release=(\S+)", BOOT_TIMEOUT)
        self.kvm = line.group(1) == "1"
        self.release = line.group(2)
        self.boot_seconds = time.monotonic() - self.t0

    def _read_agent(self):
        for raw in self.qemu.stdout:
            self.lines.put(raw.decode(errors="replace").rstrip("\r\n"))
        self.lines.put(None)

    def _read_stderr(self):
        self.qemu_stderr = self.qemu.stderr.read().decode(errors="replace")

    def _expect(self, pattern, timeout):
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            try:
                line = self.lines.get(timeout=max(left, 0))
            except queue.Empty:
                raise TimeoutError(f"L1 did not say '{pattern}' within {timeout} s\n"
                                   + self.console_tail()) from None
            if line is None:
                raise RuntimeError(f"QEMU ended while waiting for '{pattern}'\n"
                                   + self.console_tail())
            m = re.fullmatch(pattern, line)
            if m:
                return m

    def console_tail(self, lines=40):
        try:
            with open(self.console_log, errors="replace") as f:
                tail = f.read().splitlines()[-lines:]
        except OSError:
            tail = []
        return "L1 console (last lines):\n" + "\n".join(tail)

    def run(self, argv, timeout=120):
        """Runs argv in L1 with stdin /dev/null. Returns (status, stdout bytes, stderr bytes);
        the status is as subprocess gives it (-N for death by signal N). Raises
        subprocess.TimeoutExpired when L1 had to kill the command."""
        self.next_id += 1
        ident = str(self.next_id)
        base = os.path.join(self.share, ".agent", ident)
        with open(base + ".sh", "w") as f:
            f.write("exec " + " ".join(shlex.quote(a) for a in argv) + "\n")
        secs = int(timeout) + 1
        self.qemu.stdin.write(f"run {ident} {secs}\n".encode())
        self.qemu.stdin.flush()
        # L1 kills the command after `secs`; its own slowness under TCG gets a margin.
        m = self._expect(rf"snpvmm-agent: done {ident} (\d+)", secs + 120)
        status = int(m.group(1))
        with open(base + ".out", "rb") as f:
            out = f.read()
        with open(base + ".err", "rb") as f:
            err = f.read()
        if status == 128 + 9:
            raise subprocess.TimeoutExpired(argv, timeout, out, err)
        return (-(status - 128) if status > 128 else status), out, err

    def stop(self):
        if not self.qemu:
            return
        try:
            self.qemu.stdin.write(b"quit\n")
            self.qemu.stdin.flush()
            self.qemu.wait(timeout=120)
        except (OSError, subprocess.TimeoutExpired):
            self.qemu.kill()
            self.qemu.wait()
        self.qemu = None
