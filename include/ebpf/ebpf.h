/* The C embedding API of ebpf-native: opaque handles over the C++ runtime
 * (ebpf/runtime.hpp). Functions return 0 (or a handle) on success and a
 * negative errno (or NULL) on failure; ebpf_last_error() then describes the
 * failure of the calling thread's last call ("map 'counts': key size is 4
 * bytes, got 8"). Nothing here prints or exits. */
#ifndef EBPF_EBPF_H
#define EBPF_EBPF_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ebpf_object ebpf_object;
typedef struct ebpf_program ebpf_program;
typedef struct ebpf_map ebpf_map;
typedef struct ebpf_hook_link ebpf_hook_link;

/* Update flags, as Linux BPF_ANY / BPF_NOEXIST / BPF_EXIST. */
#define EBPF_ANY 0
#define EBPF_NOEXIST 1
#define EBPF_EXIST 2

/* The version of the library, "MAJOR.MINOR.PATCH" (ebpf/version.h has the
 * version the program was compiled against: EBPF_NATIVE_VERSION). */
const char *ebpf_version(void);

/* The message of the calling thread's last failure ("" when none). */
const char *ebpf_last_error(void);

/* Code-integrity mode (docs/signing.md), for the whole process and for good:
 * no memory that was writable may become executable (PR_SET_MDWE), the
 * interpreter, the JIT and compiling on the host are refused, and only native
 * modules whose signature chains to the process trust store load.
 * flags: 0, or EBPF_CODE_INTEGRITY_ALLOW_WITHOUT_MDWE to accept a kernel
 * without PR_SET_MDWE (the library still enforces the rest). Returns 0, or
 * -ENOTSUP when the kernel refuses MDWE and the fallback was not allowed. The
 * switch EBPF_CODE_INTEGRITY=1 in the environment does the same at first use. */
#define EBPF_CODE_INTEGRITY_ALLOW_WITHOUT_MDWE 1u
int ebpf_enable_code_integrity(unsigned flags);
/* 1 when the mode is on in this process, else 0. */
int ebpf_code_integrity_enabled(void);
/* The process trust store (a directory of PEM files or one PEM file), read
 * now, once: every module is checked against it in code-integrity mode.
 * Without it, $EBPF_TRUST_STORE is read at first use. -EEXIST when the
 * process already has one, -EINVAL when it cannot be read. */
int ebpf_set_trust_store(const char *path);

/* Opens, verifies and loads an eBPF ELF object, or a native module (a path
 * ending in .so, or mode "native"). mode: "interpret", "jit", "native" or
 * NULL (interpret). In code-integrity mode only signed native modules load.
 * NULL on failure. */
ebpf_object *ebpf_object_load(const char *path, const char *mode);
/* ebpf_object_load with options. sz = sizeof(struct ebpf_load_opts) (an
 * older, smaller struct is fine; a larger one only with zeros past these
 * fields). Zero limits keep the defaults of docs/limits.md. */
struct ebpf_load_opts {
    size_t sz;
    const char *mode;            /* "interpret" (NULL), "jit" or "native" */
    int require_signature;       /* native modules: the signature must chain to the process trust store */
    const char *bytecode_object; /* native modules: the object they were built from (bytecode hashes compared) */
    uint64_t max_object_bytes;   /* the input file */
    uint64_t max_map_bytes;      /* one map's memory */
    uint64_t max_total_map_bytes;
    uint32_t max_maps;
    uint32_t max_programs;
    uint64_t max_program_instructions;
    const char *program_type;    /* NULL: from the sections; else every program's type, as bpftool prog load … type
                                    ("xdp", "sched_cls", "tc", "socket", "cgroup/connect4", ...); not for native modules */
};
ebpf_object *ebpf_object_load_opts(const char *path, const struct ebpf_load_opts *opts);
void ebpf_object_close(ebpf_object *object);

/* By function or section name; NULL when absent. Handles live as long as the object. */
ebpf_program *ebpf_object_find_program(ebpf_object *object, const char *name);
ebpf_map *ebpf_object_find_map(ebpf_object *object, const char *name);
/* The i-th program (NULL past the end) and its names. */
ebpf_program *ebpf_object_program(ebpf_object *object, size_t index);
const char *ebpf_program_name(const ebpf_program *program);
const char *ebpf_program_section(const ebpf_program *program);

/* Runs a hook or raw_memory program on a byte buffer (r1 = ctx, r2 =
 * ctx_size) or a cgroup_sock_addr program on a struct bpf_sock_addr (72
 * bytes); its r0 in *result. NULL with ctx_size 0 runs on an empty buffer (r1
 * still points somewhere), NULL with a non-zero size is refused. Programs
 * whose context holds pointers (xdp) are refused with -EINVAL: the caller's
 * bytes would be taken as the runtime's own context; run them with
 * ebpf_program_test_run. */
int ebpf_program_run(const ebpf_program *program, void *ctx, size_t ctx_size, uint64_t *result);

/* A test run, as Linux BPF_PROG_TEST_RUN: the caller gives plain bytes and the
 * runtime builds the context the program type needs (docs/libbpf.md).
 *   xdp               data_in = the packet; ctx_in = an optional struct xdp_md
 *                     (ingress_ifindex, rx_queue_index; data_end not past
 *                     the packet; data, data_meta and egress_ifindex 0);
 *                     data_out = the packet after the run.
 *   cgroup_sock_addr  ctx_in/ctx_out = struct bpf_sock_addr (72 bytes); no data.
 *   hook, raw_memory  data_in/data_out = the byte buffer; no ctx.
 * data_out and ctx_out may be NULL when not wanted (their sizes are then ignored). On return
 * data_size_out and ctx_size_out hold the sizes the run produced; when a
 * buffer is too small it gets the first bytes that fit and the call returns
 * -ENOSPC (retval and duration are still set), as Linux.
 * Unlike Linux, a data_size_out of 0 with a data_out buffer means no room
 * (-ENOSPC), never "unbounded".
 * sz must be sizeof(struct ebpf_test_run_opts) of the caller's header: a
 * smaller sz (an older caller; missing fields count as 0) is fine, a larger
 * one only when the bytes past what this library knows are zero (-EINVAL
 * otherwise, as libbpf's opts).
 * Returns 0, -EINVAL (bad arguments or sizes, or a run-time fault or policy
 * refusal: ebpf_last_error() says which), -E2BIG (non-zero bytes past the
 * context struct), -EOPNOTSUPP (a program type the runtime cannot run) or
 * -ENOSPC. */
struct ebpf_test_run_opts {
    size_t sz;
    const void *data_in;
    size_t data_size_in;
    void *data_out;
    size_t data_size_out; /* in: capacity of data_out; out: bytes produced */
    const void *ctx_in;
    size_t ctx_size_in;
    void *ctx_out;
    size_t ctx_size_out;  /* in: capacity of ctx_out; out: bytes produced */
    uint32_t repeat;      /* runs (0 = 1); every run starts from the same input */
    uint32_t flags;       /* must be 0 */
    uint64_t retval;      /* out: r0 of the last run */
    uint64_t duration_ns; /* out: mean time of one run */
};
int ebpf_program_test_run(const ebpf_program *program, struct ebpf_test_run_opts *opts);

/* Map access from the host. Sizes must match the map's key size and host
 * value size (per-CPU maps: value size rounded to 8 times ebpf_possible_cpus()). */
uint32_t ebpf_map_key_size(const ebpf_map *map);
uint32_t ebpf_map_value_size(const ebpf_map *map);
int ebpf_map_lookup(const ebpf_map *map, const void *key, size_t key_size, void *value,
                    size_t value_size);
/* Update and delete fail with -EPERM on a frozen map (.rodata and maps that
 * programs may only read are frozen when their object loads), and with
 * -EINVAL for a program of another type than a prog array's owner type or an
 * inner map that does not match a map-in-map's inner definition. */
int ebpf_map_update(ebpf_map *map, const void *key, size_t key_size, const void *value,
                    size_t value_size, uint64_t flags);
int ebpf_map_delete(ebpf_map *map, const void *key, size_t key_size);
/* key NULL: the first key. -ENOENT after the last. */
int ebpf_map_next_key(const ebpf_map *map, const void *key, void *next_key, size_t key_size);
/* Ring buffer maps: calls on_record for each ready record; returns how many
 * (>= 0) or a negative errno. */
typedef void (*ebpf_ringbuf_callback)(void *user, const void *data, size_t size);
int ebpf_ringbuf_consume(ebpf_map *map, ebpf_ringbuf_callback on_record, void *user);
uint32_t ebpf_possible_cpus(void);

/* Termination budget: the callbacks (bpf_loop, bpf_for_each_map_elem) one
 * run may call in all, nested or not; past it those helpers return -E2BIG.
 * Default 1 << 23; process-wide. */
void ebpf_set_callback_budget(uint64_t calls);
uint64_t ebpf_callback_budget(void);

/* Hooks: attach a program to a named hook ("hook/<name>" sections default to
 * <name> when hook_name is NULL); the host runs the hook on a byte buffer.
 * ebpf_hook_run returns -ENOENT when nothing is attached. */
ebpf_hook_link *ebpf_hook_attach(const ebpf_program *program, const char *hook_name);
void ebpf_hook_detach(ebpf_hook_link *link);
int ebpf_hook_run(const char *hook_name, void *buffer, size_t length, uint64_t *result);

#ifdef __cplusplus
}
#endif

#endif /* EBPF_EBPF_H */
