/* An entry function that computes its answer instead of returning the
 * address of a static struct: its metadata cannot be read without running
 * it, so `ebpf show` refuses. */
#include "ebpf/native_module.h"

static struct ebpf_native_module modules[2];
volatile int choice;

__attribute__((visibility("default"))) const struct ebpf_native_module* ebpf_native_module_get(void) {
    return &modules[choice & 1];
}
