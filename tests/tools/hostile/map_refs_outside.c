/* Everything in order but one program's map reference table, which points
 * outside the module: refused before the loader (or `ebpf show`) reads it. */
#include "ebpf/native_module.h"

static uint64_t run(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5, uint32_t depth) {
    return r1 + r2 + r3 + r4 + r5 + depth;
}

static const struct ebpf_native_program programs[1] = {
    {"prog", "hook/prog", 1000, 2, run, {0}, 1, 0, (const uint32_t*)0x10000}};
static struct ebpf_native_runtime runtime;
static const struct ebpf_native_module module = {
    EBPF_NATIVE_MAGIC, EBPF_NATIVE_ABI_VERSION, sizeof(struct ebpf_native_module), "hostile.o", 1, 0, 0, 0,
    programs, 0, 0, &runtime};

__attribute__((visibility("default"))) const struct ebpf_native_module* ebpf_native_module_get(void) {
    return &module;
}
