#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Check test-guest.bzImage's setup header (Documentation/arch/x86/boot.rst).

  check-image.py IMAGE                        check an image (the 'unit' test)
  check-image.py --objcopy OBJCOPY ELF IMAGE  flatten ELF into IMAGE, then check it; on a
                                              failure IMAGE is removed so the build stops
"""
import os
import struct
import subprocess
import sys


def check(data):
    """Returns a list of problems, empty when the image is what snpvmm's loader expects."""
    errs = []

    def expect(what, got, want):
        if got != want:
            errs.append(f'{what}: got {got:#x}, want {want:#x}')

    if len(data) < 0x400:
        return [f'file is {len(data)} bytes, smaller than the boot sector + setup header']

    def u8(off):
        return data[off]

    def u16(off):
        return struct.unpack_from('<H', data, off)[0]

    def u32(off):
        return struct.unpack_from('<I', data, off)[0]

    def u64(off):
        return struct.unpack_from('<Q', data, off)[0]

    expect('boot_flag (0x1fe)', u16(0x1fe), 0xAA55)
    if data[0x202:0x206] != b'HdrS':
        errs.append(f'header (0x202): got {data[0x202:0x206]!r}, want b"HdrS"')
    expect('version (0x206)', u16(0x206), 0x020F)
    expect('jump opcode (0x200)', u8(0x200), 0xEB)
    hdr_end = 0x202 + u8(0x201)
    if hdr_end < 0x26C:
        errs.append(f'header ends at {hdr_end:#x} (0x202 + byte at 0x201), before kernel_info_offset')
    expect('setup_sects (0x1f1)', u8(0x1f1), 1)
    expect('loadflags & LOADED_HIGH (0x211)', u8(0x211) & 1, 1)
    expect('xloadflags (0x236) KERNEL_64|CAN_BE_LOADED_ABOVE_4G', u16(0x236) & 3, 3)
    expect('initrd_addr_max (0x22c)', u32(0x22C), 0x7FFFFFFF)
    expect('kernel_alignment (0x230)', u32(0x230), 0x200000)
    expect('cmdline_size (0x238)', u32(0x238), 4095)
    expect('pref_address (0x258)', u64(0x258), 0x100000)

    payload_off = (u8(0x1f1) + 1) * 512
    payload = len(data) - payload_off
    if payload <= 0x200:
        errs.append(f'payload is {payload} bytes: no 64-bit entry at payload + 0x200')
        return errs
    expect('syssize (0x1f4) = ceil(payload / 16)', u32(0x1F4), (payload + 15) // 16)
    init_size = u32(0x260)
    if init_size < payload or init_size > 1 << 20:
        errs.append(f'init_size (0x260) {init_size:#x} does not cover the {payload:#x}-byte '
                    'payload or is absurd (> 1 MiB)')
    ki = u32(0x268)
    if ki + 16 > payload or data[payload_off + ki:payload_off + ki + 4] != b'LToP':
        errs.append(f'kernel_info_offset (0x268) {ki:#x}: no "LToP" kernel_info there')
    if data[payload_off + 0x200] != 0xFA:
        errs.append('64-bit entry (payload + 0x200) does not start with cli')
    return errs


def main(argv):
    if len(argv) == 5 and argv[1] == '--objcopy':
        objcopy, elf, image = argv[2:5]
        subprocess.run([objcopy, '-O', 'binary', '-j', '.setup', '-j', '.payload', elf, image],
                       check=True)
    elif len(argv) == 2:
        image = argv[1]
    else:
        print(__doc__, file=sys.stderr)
        return 2
    with open(image, 'rb') as f:
        errs = check(f.read())
    for e in errs:
        print(f'{image}: {e}', file=sys.stderr)
    if errs:
        if len(argv) == 5:
            os.unlink(image)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
