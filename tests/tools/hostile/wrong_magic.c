/* The shape bpf2c generates (`return &module;`), but the struct is not
 * module metadata: the loader's metadata checks refuse it. */
#include "ebpf/native_module.h"

static const struct ebpf_native_module module = {UINT64_C(0x1122334455667788), EBPF_NATIVE_ABI_VERSION,
                                                 sizeof(struct ebpf_native_module)};

__attribute__((visibility("default"))) const struct ebpf_native_module* ebpf_native_module_get(void) {
    return &module;
}
