/* ebpf-native's libbpf-compatible API: objects, programs, maps and ring
 * buffers of the user-mode runtime behind libbpf 1.x names, signatures and
 * error conventions, so that a loader written for libbpf compiles unchanged
 * and links with -lebpf-native instead of -lbpf. Only what is declared here
 * is implemented; docs/libbpf.md says what each call does here, what differs
 * from the kernel and how the execution mode (interpret, jit, native) and
 * module signatures are chosen.
 *
 * Errors, as libbpf 1.x: int-returning calls return a negative errno and set
 * errno; pointer-returning calls return NULL and set errno
 * (libbpf_get_error(NULL) gives -errno). Messages go to the function set
 * with libbpf_set_print; unlike libbpf, none is printed before one is set. */
#ifndef EBPF_NATIVE_BPF_LIBBPF_H
#define EBPF_NATIVE_BPF_LIBBPF_H

#include <linux/bpf.h> /* enum bpf_prog_type, enum bpf_map_type, BPF_ANY...: the kernel's values */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "libbpf_common.h"

#ifdef __cplusplus
extern "C" {
#endif

enum libbpf_print_level {
    LIBBPF_WARN,
    LIBBPF_INFO,
    LIBBPF_DEBUG,
};
typedef int (*libbpf_print_fn_t)(enum libbpf_print_level level, const char *format, va_list args);
/* Sets the message function (NULL: no messages); returns the previous one. */
LIBBPF_API libbpf_print_fn_t libbpf_set_print(libbpf_print_fn_t fn);
/* 0 for a valid pointer; -errno for NULL (the error of the call that returned it). */
LIBBPF_API long libbpf_get_error(const void *ptr);
/* Values per per-CPU map entry (the runtime's CPU slots). */
LIBBPF_API int libbpf_num_possible_cpus(void);

struct bpf_object;
struct bpf_program;
struct bpf_map;
struct ring_buffer;
struct perf_buffer;

struct bpf_object_open_opts {
    size_t sz; /* sizeof(struct bpf_object_open_opts) */
    /* The object's name (default: the file name). */
    const char *object_name;
    /* Not supported here: must be false (-EOPNOTSUPP otherwise). */
    bool relaxed_maps;
    /* Where LIBBPF_PIN_BY_NAME maps are pinned (default: $EBPF_PIN_ROOT, else
     * /run/ebpf-native; docs/pinning.md). */
    const char *pin_root_path;
    __u32 : 32;
    /* Not supported here: must be NULL (-EOPNOTSUPP otherwise). */
    const char *kconfig;
    const char *btf_custom_path;
    /* On a failed bpf_object__load, the verifier's (or loader's) message,
     * NUL-terminated and cut to kernel_log_size. */
    char *kernel_log_buf;
    size_t kernel_log_size;
    __u32 kernel_log_level;
    /* --- ebpf-native's own fields, after libbpf's (docs/libbpf.md) --- */
    /* "interpret", "jit" or "native"; NULL: $EBPF_MODE, else "native" in
     * code-integrity mode, else "jit". */
    const char *ebpf_mode;
    /* Native mode: the module to load (default: the object's path with .o
     * replaced by .so). Each of its programs must have been built from this
     * object (bytecode SHA-256 compared). */
    const char *ebpf_native_module;
    /* Native modules must carry a signature chaining to the process trust
     * store (always so in code-integrity mode). */
    bool ebpf_require_signature;
    size_t : 0;
};
#define bpf_object_open_opts__last_field ebpf_require_signature

/* Opens an eBPF ELF object (clang -target bpf), or a native module (a path
 * ending in .so, built by `ebpf build`). Maps and programs can be inspected
 * and programs retyped before bpf_object__load. */
LIBBPF_API struct bpf_object *bpf_object__open(const char *path);
LIBBPF_API struct bpf_object *bpf_object__open_file(const char *path, const struct bpf_object_open_opts *opts);
LIBBPF_API struct bpf_object *bpf_object__open_mem(const void *obj_buf, size_t obj_buf_sz,
                                                   const struct bpf_object_open_opts *opts);
/* Verifies and loads every program, creates the maps; fds exist from here. */
LIBBPF_API int bpf_object__load(struct bpf_object *obj);
/* Unloads everything and releases the object's fds. NULL is ignored. */
LIBBPF_API void bpf_object__close(struct bpf_object *obj);
LIBBPF_API const char *bpf_object__name(const struct bpf_object *obj);

LIBBPF_API struct bpf_program *bpf_object__find_program_by_name(const struct bpf_object *obj, const char *name);
LIBBPF_API struct bpf_map *bpf_object__find_map_by_name(const struct bpf_object *obj, const char *name);
LIBBPF_API int bpf_object__find_map_fd_by_name(const struct bpf_object *obj, const char *name);
/* Iteration: prog/map NULL gives the first; NULL after the last. */
LIBBPF_API struct bpf_program *bpf_object__next_program(const struct bpf_object *obj, struct bpf_program *prog);
LIBBPF_API struct bpf_map *bpf_object__next_map(const struct bpf_object *obj, const struct bpf_map *map);
#define bpf_object__for_each_program(pos, obj) \
    for ((pos) = bpf_object__next_program((obj), NULL); (pos) != NULL; (pos) = bpf_object__next_program((obj), (pos)))
#define bpf_object__for_each_map(pos, obj) \
    for ((pos) = bpf_object__next_map((obj), NULL); (pos) != NULL; (pos) = bpf_object__next_map((obj), (pos)))

LIBBPF_API const char *bpf_program__name(const struct bpf_program *prog);
LIBBPF_API const char *bpf_program__section_name(const struct bpf_program *prog);
/* The program's fd after load; -EINVAL (errno set) before. */
LIBBPF_API int bpf_program__fd(const struct bpf_program *prog);
LIBBPF_API enum bpf_prog_type bpf_program__type(const struct bpf_program *prog);
/* Before load only (-EBUSY after); a type the runtime does not know: -EOPNOTSUPP. */
LIBBPF_API int bpf_program__set_type(struct bpf_program *prog, enum bpf_prog_type type);

LIBBPF_API const char *bpf_map__name(const struct bpf_map *map);
/* The map's fd after load; -EINVAL (errno set) before. */
LIBBPF_API int bpf_map__fd(const struct bpf_map *map);
LIBBPF_API enum bpf_map_type bpf_map__type(const struct bpf_map *map);
LIBBPF_API __u32 bpf_map__key_size(const struct bpf_map *map);
LIBBPF_API __u32 bpf_map__value_size(const struct bpf_map *map);
LIBBPF_API __u32 bpf_map__max_entries(const struct bpf_map *map);
/* Before load only (-EBUSY after); an ELF object's map (a native module's
 * maps are fixed when it is built: -EOPNOTSUPP for a .so, and in native mode
 * the load fails when the module's map differs). */
LIBBPF_API int bpf_map__set_max_entries(struct bpf_map *map, __u32 max_entries);
/* As the fd calls, with the sizes checked: key_sz must be the key size and
 * value_sz the value size (per-CPU maps: rounded up to 8, times the CPUs),
 * -EINVAL otherwise. flags: BPF_ANY/BPF_NOEXIST/BPF_EXIST for updates, 0 else. */
LIBBPF_API int bpf_map__lookup_elem(const struct bpf_map *map, const void *key, size_t key_sz, void *value,
                                    size_t value_sz, __u64 flags);
LIBBPF_API int bpf_map__update_elem(const struct bpf_map *map, const void *key, size_t key_sz, const void *value,
                                    size_t value_sz, __u64 flags);
LIBBPF_API int bpf_map__delete_elem(const struct bpf_map *map, const void *key, size_t key_sz, __u64 flags);
LIBBPF_API int bpf_map__get_next_key(const struct bpf_map *map, const void *cur_key, void *next_key, size_t key_sz);

/* Ring buffers (BPF_MAP_TYPE_RINGBUF). The callback gets each record in
 * order; a negative return stops consuming (that record counts as consumed)
 * and becomes the call's result. */
typedef int (*ring_buffer_sample_fn)(void *ctx, void *data, size_t size);
struct ring_buffer_opts {
    size_t sz; /* sizeof(struct ring_buffer_opts) */
};
#define ring_buffer_opts__last_field sz
LIBBPF_API struct ring_buffer *ring_buffer__new(int map_fd, ring_buffer_sample_fn sample_cb, void *ctx,
                                                const struct ring_buffer_opts *opts);
LIBBPF_API int ring_buffer__add(struct ring_buffer *rb, int map_fd, ring_buffer_sample_fn sample_cb, void *ctx);
/* Consumes what is ready; when nothing is, waits up to timeout_ms (-1: until
 * a record comes) for one. Returns the records consumed or a negative errno.
 * The user-mode runtime has no wakeup fd: waiting checks the rings every
 * millisecond at most. */
LIBBPF_API int ring_buffer__poll(struct ring_buffer *rb, int timeout_ms);
/* Consumes what is ready without waiting. */
LIBBPF_API int ring_buffer__consume(struct ring_buffer *rb);
LIBBPF_API void ring_buffer__free(struct ring_buffer *rb);

/* Perf buffers (BPF_MAP_TYPE_PERF_EVENT_ARRAY): one buffer of page_cnt pages
 * (a power of 2) per CPU, opened in the map's entries. sample_cb gets each
 * sample, lost_cb (may be NULL) each count of samples lost because a CPU's
 * buffer was full, in order. __poll waits up to timeout_ms (-1: until a
 * sample comes) and returns the samples consumed or a negative errno. */
typedef void (*perf_buffer_sample_fn)(void *ctx, int cpu, void *data, __u32 size);
typedef void (*perf_buffer_lost_fn)(void *ctx, int cpu, __u64 cnt);
struct perf_buffer_opts {
    size_t sz; /* sizeof(struct perf_buffer_opts) */
    __u32 sample_period; /* accepted; every sample wakes the reader here */
};
#define perf_buffer_opts__last_field sample_period
LIBBPF_API struct perf_buffer *perf_buffer__new(int map_fd, size_t page_cnt, perf_buffer_sample_fn sample_cb,
                                                perf_buffer_lost_fn lost_cb, void *ctx,
                                                const struct perf_buffer_opts *opts);
LIBBPF_API int perf_buffer__poll(struct perf_buffer *pb, int timeout_ms);
LIBBPF_API int perf_buffer__consume(struct perf_buffer *pb);
LIBBPF_API int perf_buffer__consume_buffer(struct perf_buffer *pb, size_t buf_idx);
LIBBPF_API size_t perf_buffer__buffer_cnt(const struct perf_buffer *pb);
LIBBPF_API void perf_buffer__free(struct perf_buffer *pb);

#ifdef __cplusplus
}
#endif

#endif /* EBPF_NATIVE_BPF_LIBBPF_H */
