/* ebpf-native's libbpf-compatible API: what <bpf/libbpf.h> and <bpf/bpf.h>
 * share (docs/libbpf.md). Written for ebpf-native; names and option-struct
 * conventions follow libbpf 1.x so that loaders written for it compile
 * unchanged. */
#ifndef EBPF_NATIVE_BPF_LIBBPF_COMMON_H
#define EBPF_NATIVE_BPF_LIBBPF_COMMON_H

#include <string.h>

#ifndef LIBBPF_API
#define LIBBPF_API __attribute__((visibility("default")))
#endif

/* Option structs start with `size_t sz`, the caller's sizeof; the library
 * reads only the fields the caller's struct has and refuses non-zero bytes
 * past the fields it knows. LIBBPF_OPTS(type, name, .field = value, ...)
 * declares one zeroed (padding included, so that check holds), sz set. */
#define LIBBPF_OPTS(TYPE, NAME, ...)                                  \
    struct TYPE NAME = ({                                             \
        memset(&NAME, 0, sizeof(struct TYPE));                        \
        (struct TYPE){.sz = sizeof(struct TYPE), __VA_ARGS__};        \
    })
#define DECLARE_LIBBPF_OPTS LIBBPF_OPTS

#endif /* EBPF_NATIVE_BPF_LIBBPF_COMMON_H */
