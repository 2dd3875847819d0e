#!/usr/bin/env python3
"""Asks the running kernel, program type by program type, what its verifier
allows: which context offsets and sizes a program may read and write, which
read as pointers, which helpers exist for the type, and which constant return
values pass. Tiny programs go through BPF_PROG_LOAD (root needed); nothing is
attached. The output is what src/abi/abi.cpp's tables were checked against:

    sudo scripts/corpus/kernel_types_probe.py [TYPE...]      # e.g. kprobe sk_msg
"""
import ctypes
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kernel_load import bpf, BPF_PROG_LOAD  # noqa: E402

# name: (prog type, expected attach type, context size)
TYPES = {
    "kprobe": (2, 0, 168), "tracepoint": (5, 0, 8192 + 8), "raw_tracepoint": (17, 0, 96), "perf_event": (7, 0, 184),
    "sock_ops": (13, 0, 216), "cgroup_skb": (8, 0, 192), "cgroup_skb_egress": (8, 1, 192),
    "cgroup_sock": (9, 2, 80), "cgroup_sock_post_bind4": (9, 12, 80), "cgroup_sockopt_get": (25, 21, 40),
    "cgroup_sockopt_set": (25, 22, 40), "sk_skb": (14, 5, 192), "sk_skb_parser": (14, 4, 192),
    "sk_msg": (16, 7, 80), "flow_dissector": (22, 17, 192), "lwt_in": (10, 0, 192), "lwt_out": (11, 0, 192),
    "lwt_xmit": (12, 0, 192), "lwt_seg6local": (19, 0, 192), "cgroup_device": (15, 6, 12),
    "cgroup_sysctl": (23, 18, 8), "sk_reuseport": (21, 39, 56), "sk_lookup": (30, 36, 72),
    "socket_filter": (1, 0, 192), "sched_cls": (3, 0, 192), "sched_act": (4, 0, 192), "xdp": (6, 0, 24),
    "cgroup_sock_addr": (18, 10, 72), "cgroup_sock_addr_recvmsg4": (18, 19, 72),
}
SIZE_BITS = {1: 0x10, 2: 0x08, 4: 0x00, 8: 0x18}


def insn(opcode, dst=0, src=0, off=0, imm=0):
    return struct.pack("<BBhi", opcode, dst | (src << 4), off, imm)


EXIT0 = insn(0xb7, 0, imm=0) + insn(0x95)


def load(prog_type, attach, code):
    log = ctypes.create_string_buffer(1 << 16)
    buf = ctypes.create_string_buffer(code, len(code))
    lic = ctypes.create_string_buffer(b"GPL\0")
    attr = struct.pack("<IIQQIIQII16sII", prog_type, len(code) // 8, ctypes.addressof(buf), ctypes.addressof(lic),
                       1, len(log), ctypes.addressof(log), 0, 0, b"", 0, attach) + bytes(80)
    fd, err = bpf(BPF_PROG_LOAD, attr)
    if fd >= 0:
        os.close(fd)
        return True, ""
    return False, log.value.decode(errors="replace")


def probe(name):
    prog_type, attach, size = TYPES[name]
    reads, pointers, writes = {}, set(), {}
    for o in range(size):
        for s in (1, 2, 4, 8):
            if o % s:
                continue
            ok, _ = load(prog_type, attach, insn(0x61 | SIZE_BITS[s], 2, 1, o) + EXIT0)
            if ok:
                reads.setdefault(o, []).append(s)
                if s in (4, 8):  # a pointer refuses multiplication
                    mul, _ = load(prog_type, attach, insn(0x61 | SIZE_BITS[s], 2, 1, o) + insn(0x27, 2, imm=3) + EXIT0)
                    if not mul:
                        pointers.add(o)
            ok, _ = load(prog_type, attach, insn(0xb7, 2, imm=0) + insn(0x63 | SIZE_BITS[s], 1, 2, o) + EXIT0)
            if ok:
                writes.setdefault(o, []).append(s)
    helpers = []
    for h in range(1, 212):
        ok, log = load(prog_type, attach, insn(0x85, imm=h) + EXIT0)
        if ok or ("unknown func" not in log and "cannot use helper" not in log and "invalid func" not in log):
            helpers.append(h)
    rets = []
    for r in (-1, 0, 1, 2, 3, 4, 7):
        ok, _ = load(prog_type, attach, insn(0xb7, 0, imm=r) + insn(0x95))
        if ok:
            rets.append(r)
    return reads, pointers, writes, helpers, rets


def fields(reads, pointers, writes):
    """Groups readable offsets into fields: start, size, smallest read, write sizes, pointer."""
    out, o = [], 0
    offsets = sorted(reads)
    seen = set()
    for o in offsets:
        if o in seen:
            continue
        big = max(reads[o])
        span = range(o, o + big)
        seen.update(x for x in span if x in reads)
        out.append((o, big, min(reads[o]), sorted(writes.get(o, [])), o in pointers))
    return out


def main():
    if os.geteuid() != 0:
        print("needs root (BPF_PROG_LOAD)", file=sys.stderr)
        return 1
    for name in sys.argv[1:] or TYPES:
        reads, pointers, writes, helpers, rets = probe(name)
        print("== %s" % name)
        print("fields (offset size min_read write_sizes pointer):")
        for f in fields(reads, pointers, writes):
            print("  %3d %d %d %s %s" % (f[0], f[1], f[2], ",".join(map(str, f[3])) or "-", "ptr" if f[4] else ""))
        print("helpers: " + " ".join(map(str, helpers)))
        print("returns accepted among -1 0 1 2 3 4 7: " + " ".join(map(str, rets)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
