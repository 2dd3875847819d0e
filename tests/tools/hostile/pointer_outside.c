/* Well-formed header, but the program table points outside the module (into
 * whatever the host has mapped there): refused before anything is read. */
#include "ebpf/native_module.h"

static struct ebpf_native_runtime runtime;
static const struct ebpf_native_module module = {
    EBPF_NATIVE_MAGIC, EBPF_NATIVE_ABI_VERSION, sizeof(struct ebpf_native_module), "hostile.o", 1, 0, 0, 0,
    (const struct ebpf_native_program*)0x10000, 0, 0, &runtime};

__attribute__((visibility("default"))) const struct ebpf_native_module* ebpf_native_module_get(void) {
    return &module;
}
