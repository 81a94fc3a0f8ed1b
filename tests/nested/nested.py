# SPDX-License-Identifier: MIT
"""The L1 host of the nested tier: Debian's own kernel under QEMU TCG (-cpu max emulates
SVM), whose kvm_amd gives a real /dev/kvm. See tests/nested/README.md.

L1 boots from an initramfs built by mkinitramfs.sh and serves an agent (l1-init.sh) through
files in a scratch directory that L1 mounts over virtio-9p at the same path: the host
writes a shell script there and asks L1 to run it, and reads its exit status, stdout and
stderr back from the same directory. So the kvm tier's tests run unchanged on the host,
with their snpvmm commands executed in L1."""
import glob
import os
import re
import shlex
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SKIP = 77

# Under TCG on a loaded 2-core machine L1 boots in 10-60 s; allow for much worse.
BOOT_TIMEOUT = 600
# L1's heartbeat comes every 5 s; standing still this long means L1 is stuck (soft lockups
# of both CPUs), not slow: the request is given up and runs once more on a fresh L1.
STALL_SECONDS = 180
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


def build_initramfs(workdir, snpvmm, guest, kver, keeper, programs=()):
    subprocess.run([os.path.join(HERE, "mkinitramfs.sh"), workdir, snpvmm, guest, kver,
                    keeper, *programs], check=True, timeout=600)
    with open(os.path.join(workdir, "payload.sha256")) as f:
        return f.read().strip()


# L2 Linux boots that triple-faulted before their user space started, each run once more
# (early_triple_fault()); run_nested.py reports them.
EARLY_TRIPLE_FAULTS = []


def early_triple_fault(what, events, console):
    """Whether an L2 Linux guest ended in a triple fault before its kernel ran /init, in
    which case the caller boots it once more (a second one fails the test). Seen in about
    one L2 boot in 60 here, always in the kernel's early boot, with no pattern in
    snpvmm's part; snpvmm reports it as it must ("crash", status 3). Not explained: it
    may be QEMU's SVM/NPT model under TCG or snpvmm (README.md, "L2 triple faults")."""
    ge = next((e for e in events if e.get("event") == "guest-exit"), None)
    hit = (ge is not None and ge.get("reason") == "crash"
           and "triple-faulted" in ge.get("detail", "")
           and "Linux version" in console and "Run /init as init process" not in console)
    if hit:
        tail = console.strip().splitlines()[-1:] or [""]
        EARLY_TRIPLE_FAULTS.append(what)
        print(f"nested: {what}: the L2 kernel triple-faulted in its early boot (last console "
              f"line: {tail[0][:120]!r}); booting it once more", file=sys.stderr)
    return hit


class L1Stalled(Exception):
    """L1 did not answer a request in time, or QEMU ended."""


class L1:
    """One L1 VM and its agent. When L1 stops answering or QEMU ends, the request that saw it
    fails and L1 boots afresh for the next one, so one stuck command fails one test."""

    def __init__(self, workdir, share, kernel):
        self.workdir = workdir
        self.share = share
        self.agent = os.path.join(share, ".agent")
        self.kernel = kernel
        self.console_log = os.path.join(workdir, "l1-console.log")
        self.qemu = None
        self.kvm = False
        self.release = ""
        self.next_id = 0
        self.boots = 0

    def start(self):
        qemu = qemu_binary()
        if any(c.isspace() or c == "," for c in self.share):
            raise RuntimeError(f"the scratch path '{self.share}' must not hold blanks or commas")
        shutil.rmtree(self.agent, ignore_errors=True)
        os.makedirs(self.agent)
        self.next_id = 0
        self.boots += 1
        self.t0 = time.monotonic()
        self.qemu_stderr = os.path.join(self.workdir, "l1-qemu.stderr")
        with open(self.qemu_stderr, "wb") as err:
            self.qemu = subprocess.Popen(
                [qemu, "-accel", "tcg", "-cpu", "max", "-m", L1_MEM, "-smp", L1_SMP,
                 "-nodefaults", "-display", "none", "-no-reboot",
                 "-kernel", self.kernel, "-initrd", os.path.join(self.workdir, "l1.cpio"),
                 "-append", f"console=ttyS0 panic=-1 snpvmm.share={self.share}",
                 "-serial", f"file:{self.console_log}",
                 "-virtfs", f"local,path={self.share},mount_tag=scratch,security_model=none,"
                            "id=scratch"],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err)
        ready = self._wait_for("ready", BOOT_TIMEOUT)
        m = re.fullmatch(r"kvm=(\d) keeper=(\d) release=(\S+)\n", ready.decode(errors="replace"))
        if not m:
            raise RuntimeError(f"L1's agent said '{ready!r}'\n" + self.console_tail())
        self.kvm = m.group(1) == "1"
        self.release = m.group(3)
        if self.kvm and m.group(2) != "1":
            print("nested: kvm-keeper holds no VM in L1 (kvm_keeper.c: a QEMU TCG stall may "
                  "follow)\n" + self.console_tail(), file=sys.stderr)
        self.boot_seconds = time.monotonic() - self.t0

    def _wait_for(self, name, timeout):
        """The contents of agent file `name` once L1 has renamed it into place. Gives up
        at `timeout`, or sooner once L1's heartbeat (`alive`, renewed every 5 s) has stood
        still for STALL_SECONDS: then L1 itself is stuck."""
        path = os.path.join(self.agent, name)
        alive = os.path.join(self.agent, "alive")
        deadline = time.monotonic() + timeout
        while not os.path.exists(path):
            try:
                still = time.time() - os.stat(alive).st_mtime
            except FileNotFoundError:
                still = 0
            if still > STALL_SECONDS:
                raise TimeoutError(f"L1's heartbeat stood still for {still:.0f} s while L1 "
                                   f"was to write '{name}'\n" + self.console_tail())
            if self.qemu.poll() is not None:
                with open(self.qemu_stderr, errors="replace") as f:
                    why = f.read().strip()
                raise RuntimeError(f"QEMU ended (status {self.qemu.returncode}) while L1 was "
                                   f"to write '{name}' {why}\n" + self.console_tail())
            if time.monotonic() > deadline:
                raise TimeoutError(f"L1 did not write '{name}' within {timeout} s\n"
                                   + self.console_tail())
            time.sleep(0.05)
        with open(path, "rb") as f:
            return f.read()

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
        subprocess.TimeoutExpired when L1 had to kill the command, L1Stalled when L1 stopped
        answering twice. A stall of L1 itself (not of the command: L1 kills that and says
        so) is QEMU's, not snpvmm's: the request runs once more on a freshly booted L1."""
        try:
            return self._run_once(argv, timeout)
        except L1Stalled as e:
            print(f"nested: L1 stalled ({str(e).splitlines()[0]}); running the request again "
                  "on a fresh L1", file=sys.stderr)
            return self._run_once(argv, timeout)

    def _run_once(self, argv, timeout):
        if self.qemu is None:
            raise L1Stalled("L1 is down: it stopped answering and did not boot again")
        self.next_id += 1
        base = os.path.join(self.agent, str(self.next_id))
        with open(base + ".sh", "w") as f:
            f.write("exec " + " ".join(shlex.quote(a) for a in argv) + "\n")
        secs = int(timeout) + 1
        with open(base + ".run.tmp", "w") as f:
            f.write(f"{secs}\n")
        os.rename(base + ".run.tmp", base + ".run")
        # L1 kills the command after `secs`; its own slowness under TCG gets a margin.
        try:
            done = self._wait_for(f"{self.next_id}.done", secs + 120)
        except (TimeoutError, RuntimeError) as e:
            self.restart()
            raise L1Stalled(str(e)) from None
        status = int(done)
        with open(base + ".out", "rb") as f:
            out = f.read()
        with open(base + ".err", "rb") as f:
            err = f.read()
        if status == 128 + 9:
            raise subprocess.TimeoutExpired(argv, timeout, out, err)
        return (-(status - 128) if status > 128 else status), out, err

    def restart(self):
        """Boots a fresh L1 after this one stopped answering (its console log is kept)."""
        self._kill()
        kept = f"{self.console_log}.{self.boots}"
        if os.path.exists(self.console_log):
            os.replace(self.console_log, kept)
        print(f"nested: L1 stopped answering; booting it again (its console: {kept})",
              file=sys.stderr)
        try:
            self.start()
        except (TimeoutError, RuntimeError, OSError) as e:
            self._kill()
            print(f"nested: L1 did not boot again: {e}", file=sys.stderr)

    def _kill(self):
        if self.qemu and self.qemu.poll() is None:
            self.qemu.kill()
        if self.qemu:
            self.qemu.wait()
        self.qemu = None

    def stop(self):
        if not self.qemu:
            return
        try:
            open(os.path.join(self.agent, "quit"), "w").close()
            self.qemu.wait(timeout=120)
        except (OSError, subprocess.TimeoutExpired):
            self._kill()
        self.qemu = None
