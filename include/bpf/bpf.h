/* ebpf-native's libbpf-compatible low-level API: map and program calls on
 * file descriptors, as libbpf's <bpf/bpf.h> declares them (docs/libbpf.md).
 * The fds are ebpf-native handles for maps and programs of the user-mode
 * runtime, not kernel objects. Every call returns 0 or a negative errno and
 * sets errno, as libbpf 1.x. */
#ifndef EBPF_NATIVE_BPF_BPF_H
#define EBPF_NATIVE_BPF_BPF_H

#include <linux/bpf.h> /* BPF_ANY, enum bpf_map_type, enum bpf_prog_type: the kernel's values */
#include <stddef.h>

#include "libbpf_common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* key and value point to the map's key size and value size in bytes (per-CPU
 * maps: value size rounded up to 8, times libbpf_num_possible_cpus()).
 * flags: BPF_ANY, BPF_NOEXIST or BPF_EXIST. Prog arrays take program fds and
 * maps of maps take map fds as values, as on Linux. */
LIBBPF_API int bpf_map_update_elem(int fd, const void *key, const void *value, __u64 flags);
LIBBPF_API int bpf_map_lookup_elem(int fd, const void *key, void *value);
LIBBPF_API int bpf_map_delete_elem(int fd, const void *key);
/* key NULL: the first key; -ENOENT after the last. */
LIBBPF_API int bpf_map_get_next_key(int fd, const void *key, void *next_key);

/* Pinning, as on bpffs but in ebpf-native's pin root (docs/pinning.md):
 * bpf_obj_pin gives a shared map (one loaded with LIBBPF_PIN_BY_NAME, or
 * opened with bpf_obj_get) one more name on the pin root's file system;
 * -EOPNOTSUPP for a map that lives in process memory and for programs,
 * -EEXIST when the path exists. bpf_obj_get opens a pinned map and returns a
 * new map fd; -ENOENT when nothing is there, -EINVAL for a file that is not a
 * valid pinned map. */
LIBBPF_API int bpf_obj_pin(int fd, const char *pathname);
LIBBPF_API int bpf_obj_get(const char *pathname);

/* BPF_PROG_TEST_RUN. The layout is libbpf's. */
struct bpf_test_run_opts {
    size_t sz; /* sizeof(struct bpf_test_run_opts) */
    const void *data_in;
    void *data_out;
    __u32 data_size_in;
    __u32 data_size_out; /* in: room in data_out; out: bytes the run produced */
    const void *ctx_in;
    void *ctx_out;
    __u32 ctx_size_in;
    __u32 ctx_size_out; /* in: room in ctx_out; out: bytes the run produced */
    __u32 retval;       /* out: the program's return value */
    int repeat;         /* runs; 0 = 1 */
    __u32 duration;     /* out: mean ns per run */
    __u32 flags;        /* must be 0 */
    __u32 cpu;          /* must be 0 */
    __u32 batch_size;   /* must be 0 */
};
#define bpf_test_run_opts__last_field batch_size

/* Runs the program on data_in / ctx_in as the runtime's test run does
 * (docs/libbpf.md lists the context per program type). -ENOSPC when data_out
 * or ctx_out is too small (the first bytes are copied, the sizes say how many
 * the run produced); -EINVAL for bad sizes or arguments; -EOPNOTSUPP for a
 * program type the runtime cannot run. */
LIBBPF_API int bpf_prog_test_run_opts(int prog_fd, struct bpf_test_run_opts *opts);

#ifdef __cplusplus
}
#endif

#endif /* EBPF_NATIVE_BPF_BPF_H */
