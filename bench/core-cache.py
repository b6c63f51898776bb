#!/usr/bin/env python3
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""How many vmlinux BTF searches the kernel's CO-RE relocation of an object costs.

The kernel relocates a light skeleton's programs itself (bpf_core_apply) and
finds each relocated type's candidates through a cache of 31 slots indexed by
jhash(type name) % 31; a miss searches every type of vmlinux's BTF. Types
whose names share a slot evict each other. This replays the relocations of
an object, in the order libbpf logs them, through a model of that cache and
prints the slots and the misses of a first run and of each later run.

usage: sudo bench/core-cache.py [OBJECT]   (default .output/nsiter.bpf.o)
"""
import os
import re
import subprocess
import sys
import tempfile

SLOTS = 31  # VMLINUX_CAND_CACHE_SIZE in kernel/bpf/btf.c
M = 0xFFFFFFFF


def rol(x, k):
    return ((x << k) | (x >> (32 - k))) & M


def jhash(key, initval=0):
    """The kernel's jhash() (include/linux/jhash.h), on bytes."""
    a = b = c = (0xDEADBEEF + len(key) + initval) & M
    n, i = len(key), 0
    while n > 12:
        a = (a + int.from_bytes(key[i:i + 4], "little")) & M
        b = (b + int.from_bytes(key[i + 4:i + 8], "little")) & M
        c = (c + int.from_bytes(key[i + 8:i + 12], "little")) & M
        a = (a - c) & M; a ^= rol(c, 4); c = (c + b) & M
        b = (b - a) & M; b ^= rol(a, 6); a = (a + c) & M
        c = (c - b) & M; c ^= rol(b, 8); b = (b + a) & M
        a = (a - c) & M; a ^= rol(c, 16); c = (c + b) & M
        b = (b - a) & M; b ^= rol(a, 19); a = (a + c) & M
        c = (c - b) & M; c ^= rol(b, 4); b = (b + a) & M
        n -= 12
        i += 12
    if n == 0:
        return c
    tail = key[i:] + bytes(12 - n)
    a = (a + int.from_bytes(tail[0:4], "little")) & M
    b = (b + int.from_bytes(tail[4:8], "little")) & M
    c = (c + int.from_bytes(tail[8:12], "little")) & M
    c ^= b; c = (c - rol(b, 14)) & M
    a ^= c; a = (a - rol(c, 11)) & M
    b ^= a; b = (b - rol(a, 25)) & M
    c ^= b; c = (c - rol(b, 16)) & M
    a ^= c; a = (a - rol(c, 4)) & M
    b ^= a; b = (b - rol(a, 14)) & M
    c ^= b; c = (c - rol(b, 24)) & M
    return c


def relocations(obj):
    """The root type of each CO-RE relocation needing candidates, in order."""
    # a bpffs of our own to pin into: /sys/fs/bpf may not be mounted
    with tempfile.TemporaryDirectory() as pin:
        subprocess.run(["mount", "-t", "bpf", "bpf", pin], check=True)
        try:
            log = subprocess.run(["bpftool", "-d", "prog", "loadall", obj, pin + "/p"],
                                 capture_output=True, text=True).stderr
        finally:
            subprocess.run(["umount", pin])
    seq = []
    for line in log.splitlines():
        m = re.search(r"relo #\d+: <(\w+)> \[\d+\] (?:struct |union |enum |typedef )?(\w+)", line)
        if m and "matching" not in line and "patched" not in line and m.group(1) != "local_type_id":
            seq.append(m.group(2).split("___")[0])  # the essential name
    return seq


def main():
    obj = sys.argv[1] if len(sys.argv) > 1 else ".output/nsiter.bpf.o"
    seq = relocations(obj)
    if not seq:
        sys.exit(f"core-cache: no CO-RE relocations found in {obj} (root and bpftool?)")
    slots = {}
    for name in dict.fromkeys(seq):
        slots.setdefault(jhash(name.encode()) % SLOTS, []).append(name)
    print(f"# {obj}: {len(seq)} relocations of {len(set(seq))} types")
    for s in sorted(slots):
        print(f"slot {s:2}: {' '.join(slots[s])}{'   (shared)' if len(slots[s]) > 1 else ''}")
    cache = [None] * SLOTS
    runs = []
    for _ in range(3):
        miss = 0
        for name in seq:
            s = jhash(name.encode()) % SLOTS
            if cache[s] != name:
                miss += 1
                cache[s] = name
        runs.append(miss)
    print(f"vmlinux BTF searches: first run {runs[0]}, each later run {runs[1]}")


if __name__ == "__main__":
    main()
