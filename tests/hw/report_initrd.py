# SPDX-License-Identifier: MIT
"""The initrd of the attestation tests: tools/snp-guest-report as /init."""


def report_initrd(tool: str, module) -> bytes:
    """A newc cpio: /init = tools/snp-guest-report, /dev/console, and sev-guest.ko."""
    def entry(name, mode, data=b"", rdev=(0, 0)):
        fields = [0, mode, 0, 0, 1, 0, len(data), 0, 0, rdev[0], rdev[1], len(name) + 1, 0]
        head = b"070701" + b"".join(b"%08x" % f for f in fields) + name.encode() + b"\0"
        head += b"\0" * (-len(head) % 4)
        return head + data + b"\0" * (-len(data) % 4)

    with open(tool, "rb") as f:
        out = entry("init", 0o100755, f.read()) + entry("dev", 0o040755)
    out += entry("dev/console", 0o020600, rdev=(5, 1))
    if module:
        with open(module, "rb") as f:
            out += entry("sev-guest.ko", 0o100644, f.read())
    return out + entry("TRAILER!!!", 0)
