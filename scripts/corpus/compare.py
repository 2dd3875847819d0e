#!/usr/bin/env python3
"""Compares `ebpf verify`'s verdict with the running Linux kernel's on the
PREVAIL sample corpus (github.com/vbpf/ebpf-samples: prebuilt objects of the
Linux samples, Cilium, Falco, OVS, Suricata and prototype-kernel).

    scripts/corpus/compare.py CORPUS_DIR [--ebpf build/release/tools/ebpf] [--kernel-cache FILE]
                              [--markdown] [--min-agreement PERCENT]

CORPUS_DIR is a checkout of ebpf-samples (it is not part of this repository).
Each program (one per code section, as the samples' loaders did) is loaded
into the kernel with the program type its section names (scripts/corpus/
kernel_load.py; BTF-map objects through libbpf) and verified by `ebpf verify
--type`. Kernel verdicts are judged only where the kernel could judge them:
a program whose maps the kernel cannot create here, or whose type needs a
BTF attach target, is "not judged". Prints one row per program and a summary;
exit status 1 when agreement is below --min-agreement.
"""
import argparse
import ctypes
import glob
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kernel_load  # noqa: E402

# The corpus: real programs (not the PREVAIL test inputs in build/ and invalid/).
DIRS = ["cilium", "cilium-core", "cilium-examples", "falco", "linux", "new_linux", "ovs", "prototype-kernel",
        "suricata"]

# Linux enum bpf_prog_type and enum bpf_attach_type values used below.
T = dict(socket_filter=1, kprobe=2, sched_cls=3, sched_act=4, tracepoint=5, xdp=6, perf_event=7, cgroup_skb=8,
         cgroup_sock=9, lwt_in=10, lwt_out=11, lwt_xmit=12, sock_ops=13, sk_skb=14, cgroup_device=15, sk_msg=16,
         raw_tracepoint=17, cgroup_sock_addr=18, lwt_seg6local=19, flow_dissector=22, cgroup_sysctl=23,
         cgroup_sockopt=25, tracing=26, lsm=29, sk_lookup=30)
ATTACH = {"cgroup_skb/egress": 1, "cgroup/skb": 0, "cgroup/sock": 2, "cgroup/post_bind4": 12,
          "cgroup/post_bind6": 13, "cgroup/connect4": 10, "cgroup/connect6": 11, "cgroup/bind4": 8,
          "cgroup/bind6": 9, "cgroup/getsockopt": 21, "cgroup/setsockopt": 22, "sk_skb/stream_verdict": 5,
          "sk_skb/stream_parser": 4, "cgroup/sock_create": 2, "cgroup/sock_release": 34,
          "cgroup/sendmsg4": 14, "cgroup/sendmsg6": 15, "cgroup/recvmsg4": 19, "cgroup/recvmsg6": 20,
          "cgroup/getpeername4": 29, "cgroup/getpeername6": 30, "cgroup/getsockname4": 31,
          "cgroup/getsockname6": 32}

# Section prefix -> type, as libbpf 0.x and the samples' bpf_load.c named them.
PREFIXES = [
    ("kprobe/", "kprobe"), ("kretprobe/", "kprobe"), ("uprobe", "kprobe"), ("uretprobe", "kprobe"),
    ("tracepoint/", "tracepoint"), ("tp/", "tracepoint"), ("raw_tracepoint/", "raw_tracepoint"),
    ("raw_tp/", "raw_tracepoint"), ("perf_event", "perf_event"), ("sockops", "sock_ops"),
    ("cgroup_skb/", "cgroup_skb"), ("cgroup/skb", "cgroup_skb"), ("cgroup/dev", "cgroup_device"),
    ("cgroup/sysctl", "cgroup_sysctl"), ("cgroup/getsockopt", "cgroup_sockopt"),
    ("cgroup/setsockopt", "cgroup_sockopt"), ("cgroup/connect", "cgroup_sock_addr"),
    ("cgroup/bind", "cgroup_sock_addr"), ("cgroup/sendmsg", "cgroup_sock_addr"),
    ("cgroup/recvmsg", "cgroup_sock_addr"), ("cgroup/post_bind", "cgroup_sock"), ("cgroup/sock", "cgroup_sock"),
    ("sk_skb", "sk_skb"), ("sk_msg", "sk_msg"), ("flow_dissector", "flow_dissector"), ("lwt_in", "lwt_in"),
    ("lwt_out", "lwt_out"), ("lwt_xmit", "lwt_xmit"), ("lwt_seg6local", "lwt_seg6local"),
    ("sk_lookup", "sk_lookup"), ("sk_reuseport", "sk_reuseport"), ("classifier", "sched_cls"),
    ("action", "sched_act"), ("tc", "sched_cls"), ("xdp", "xdp"), ("socket", "socket_filter"),
    ("fentry/", "tracing"), ("fexit/", "tracing"), ("lsm/", "lsm"),
]

# Sections whose names say nothing: the type each project's loader gives them.
FILE_TYPES = {
    "suricata/filter.o": "socket_filter", "suricata/vlan_filter.o": "socket_filter",
    "suricata/lb.o": "socket_filter", "suricata/bypass_filter.o": "sched_cls",
    "linux/lwt_len_hist_kern.o": "lwt_out", "linux/tcbpf1_kern.o": "sched_cls",
    "linux/test_cgrp2_tc_kern.o": "sched_cls", "linux/tc_l2_redirect_kern.o": "sched_cls",
    "prototype-kernel/tc_bench01_redirect_kern.o": "sched_cls",
}
DIR_TYPES = {"cilium": "sched_cls", "cilium-core": "sched_cls", "ovs": "sched_cls"}


def program_type(rel, section):
    for prefix, name in PREFIXES:
        if section.startswith(prefix):
            if name == "tracing" or name == "lsm":
                return name
            break
    else:
        name = None
    if name is None or (rel in FILE_TYPES and name != "xdp"):
        name = FILE_TYPES.get(rel) or DIR_TYPES.get(rel.split("/")[0])
        # Cilium's XDP objects name their sections like its tc ones ("from-netdev", "2/7").
        if rel.split("/")[0].startswith("cilium") and os.path.basename(rel).startswith("bpf_xdp"):
            name = "xdp"
    return name


def attach_type(section, name):
    if name == "cgroup_skb":
        return 1 if "egress" in section else 0
    if name in ("cgroup_sock", "cgroup_sock_addr", "cgroup_sockopt", "sk_skb"):
        # The longest prefix wins ("cgroup/sock_release" before "cgroup/sock").
        for prefix, value in sorted(ATTACH.items(), key=lambda item: -len(item[0])):
            if section.startswith(prefix):
                return value
        if name == "cgroup_sock_addr":
            return 10
    # The attach type libbpf gives the bare section names.
    return {"sk_lookup": 36, "sk_msg": 7, "flow_dissector": 17, "cgroup_device": 6, "cgroup_sysctl": 18,
            "sk_reuseport": 39}.get(name, 0)


# --- kernel verdicts of objects with BTF-defined maps, through libbpf ----------

_libbpf = None


def libbpf_load(path, section, type_id, expected_attach):
    global _libbpf
    if _libbpf is None:
        _libbpf = ctypes.CDLL("libbpf.so.1", use_errno=True)
        for fn, res in [("bpf_object__open_file", ctypes.c_void_p), ("bpf_object__next_program", ctypes.c_void_p),
                        ("bpf_program__section_name", ctypes.c_char_p), ("bpf_object__load", ctypes.c_int),
                        ("bpf_program__set_autoload", ctypes.c_int), ("bpf_program__set_type", ctypes.c_int),
                        ("bpf_program__set_expected_attach_type", ctypes.c_int),
                        ("bpf_program__set_log_buf", ctypes.c_int), ("bpf_program__set_log_level", ctypes.c_int),
                        ("libbpf_get_error", ctypes.c_long), ("bpf_program__name", ctypes.c_char_p)]:
            getattr(_libbpf, fn).restype = res
        _libbpf.bpf_object__close.argtypes = [ctypes.c_void_p]
        _libbpf.bpf_object__next_program.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
        for fn in ["bpf_program__section_name", "bpf_program__name"]:
            getattr(_libbpf, fn).argtypes = [ctypes.c_void_p]
        _libbpf.bpf_program__set_autoload.argtypes = [ctypes.c_void_p, ctypes.c_bool]
        _libbpf.bpf_program__set_type.argtypes = [ctypes.c_void_p, ctypes.c_int]
        _libbpf.bpf_program__set_expected_attach_type.argtypes = [ctypes.c_void_p, ctypes.c_int]
        _libbpf.bpf_program__set_log_buf.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t]
        _libbpf.bpf_program__set_log_level.argtypes = [ctypes.c_void_p, ctypes.c_uint]
        _libbpf.bpf_object__load.argtypes = [ctypes.c_void_p]
        # Silence libbpf's own printing.
        cb_type = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_void_p)
        libbpf_load.silence = cb_type(lambda level, fmt, args: 0)
        _libbpf.libbpf_set_print.argtypes = [cb_type]
        _libbpf.libbpf_set_print(libbpf_load.silence)
    obj = _libbpf.bpf_object__open_file(path.encode(), None)
    if not obj or _libbpf.libbpf_get_error(ctypes.c_void_p(obj)):
        return "nojudge", "libbpf cannot open the object (errno %d)" % ctypes.get_errno()
    try:
        log = ctypes.create_string_buffer(1 << 22)
        found = False
        prog = _libbpf.bpf_object__next_program(obj, None)
        while prog:
            if _libbpf.bpf_program__section_name(prog).decode() == section and not found:
                found = True
                _libbpf.bpf_program__set_type(prog, type_id)
                _libbpf.bpf_program__set_expected_attach_type(prog, expected_attach)
                _libbpf.bpf_program__set_log_buf(prog, log, len(log))
                _libbpf.bpf_program__set_log_level(prog, 1)
            else:
                _libbpf.bpf_program__set_autoload(prog, False)
            prog = _libbpf.bpf_object__next_program(obj, prog)
        if not found:
            return "nojudge", "libbpf does not see a program in section " + section
        err = _libbpf.bpf_object__load(obj)
        if err == 0:
            return "accept", ""
        lines = [l for l in log.value.decode(errors="replace").splitlines()
                 if l and not l.startswith(("processed ", "verification time", "stack depth"))]
        if not lines:
            return "nojudge", "libbpf failed before the verifier (%s)" % os.strerror(-err if err < 0 else err)
        return "reject", lines[-1]
    finally:
        _libbpf.bpf_object__close(obj)


def kernel_verdict(path, rel, section, name):
    if name is None:
        return "nojudge", "program type unknown for this section"
    if name in ("tracing", "lsm"):
        return "nojudge", "BTF-typed program (needs an attach target in kernel BTF)"
    elf = kernel_load.Elf(open(path, "rb").read())
    if elf.by_name(".maps") is not None:
        return libbpf_load(path, section, T[name], attach_type(section, name))
    return kernel_load.load(path, section, T[name], attach_type(section, name))


def our_verdict(ebpf, path, section, name):
    cmd = [ebpf, "verify", path, "--section", section, "--json"]
    if name and our_verdict.has_type:
        cmd += ["--type", name]
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    except subprocess.TimeoutExpired:
        return "reject", "timeout (120 s)"
    try:
        out = json.loads(p.stdout)
    except ValueError:
        return "reject", (p.stderr.strip().splitlines() or ["exit %d" % p.returncode])[-1]
    if isinstance(out, dict) and "error" in out:  # the object did not load
        return "reject", out["error"].get("message", "")
    if not isinstance(out, list) or not out:
        return "reject", (p.stderr.strip().splitlines() or ["no verdict"])[-1]
    prog = out[0]
    if prog.get("verified"):
        return "accept", ""
    errs = prog.get("errors") or []
    return "reject", errs[0].get("message", "") if errs else "rejected"


def detect_type_option(ebpf):
    p = subprocess.run([ebpf, "verify", "--help"], capture_output=True, text=True)
    return "sched_cls" in p.stdout or "bpftool" in p.stdout


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus")
    ap.add_argument("--ebpf", default="build/release/tools/ebpf")
    ap.add_argument("--kernel-cache", help="JSON file of kernel verdicts (read if present, else written)")
    ap.add_argument("--markdown", action="store_true", help="print the per-program table as Markdown")
    ap.add_argument("--min-agreement", type=float, default=0.0)
    args = ap.parse_args()
    our_verdict.has_type = detect_type_option(args.ebpf)
    cache = {}
    if args.kernel_cache and os.path.exists(args.kernel_cache):
        cache = json.load(open(args.kernel_cache))
    rows = []
    for d in DIRS:
        for path in sorted(glob.glob(os.path.join(args.corpus, d, "*.o"))):
            rel = os.path.relpath(path, args.corpus)
            try:
                elf = kernel_load.Elf(open(path, "rb").read())
            except (ValueError, IndexError) as e:
                print("skip %s: %s" % (rel, e), file=sys.stderr)
                continue
            for s in kernel_load.program_sections(elf):
                section = s["name"]
                name = program_type(rel, section)
                key = rel + ":" + section
                if key in cache:
                    kv = tuple(cache[key])
                elif os.geteuid() != 0:
                    kv = ("nojudge", "not root: no bpf()")
                else:
                    kv = kernel_verdict(path, rel, section, name)
                    cache[key] = kv
                ov = our_verdict(args.ebpf, path, section, name)
                rows.append((rel, section, name or "?", kv, ov))
    if args.kernel_cache:
        json.dump(cache, open(args.kernel_cache, "w"), indent=1, sort_keys=True)

    judged = [r for r in rows if r[3][0] != "nojudge"]
    agree = [r for r in judged if r[3][0] == r[4][0]]
    if args.markdown:
        print("| object | section | type | kernel | ebpf | agree | kernel reason / our reason |")
        print("|---|---|---|---|---|---|---|")
    for rel, section, name, kv, ov in rows:
        same = "-" if kv[0] == "nojudge" else ("yes" if kv[0] == ov[0] else "NO")
        why = (kv[1] + " / " + ov[1]).replace("|", "\\|")[:300]
        if args.markdown:
            print("| %s | %s | %s | %s | %s | %s | %s |" % (rel, section, name, kv[0], ov[0], same, why))
        else:
            print("%-45s %-40s %-16s kernel=%-7s ours=%-6s %-3s %s" % (rel, section, name, kv[0], ov[0], same, why))
    n_ok_k = sum(1 for r in judged if r[3][0] == "accept")
    n_ok_o = sum(1 for r in rows if r[4][0] == "accept")
    pct = 100.0 * len(agree) / len(judged) if judged else 0.0
    print("\nprograms: %d; kernel judges %d (accepts %d); we accept %d; agreement %d of %d = %.1f%%" %
          (len(rows), len(judged), n_ok_k, n_ok_o, len(agree), len(judged), pct))
    false_accept = [r for r in judged if r[3][0] == "reject" and r[4][0] == "accept"]
    print("we accept, kernel rejects: %d" % len(false_accept))
    for r in false_accept:
        print("  %s:%s  kernel: %s" % (r[0], r[1], r[3][1]))
    return 0 if pct >= args.min_agreement else 1


if __name__ == "__main__":
    sys.exit(main())
