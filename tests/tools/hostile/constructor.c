/* A module that would run code while dlopen loads it: a constructor that
 * leaves a marker file. `ebpf show` must refuse it without running it. */
#include "ebpf/native_module.h"

static const struct ebpf_native_module module = {EBPF_NATIVE_MAGIC, EBPF_NATIVE_ABI_VERSION,
                                                 sizeof(struct ebpf_native_module)};

__attribute__((constructor)) static void leave_marker(void) {
#if defined(__x86_64__)
    /* open("show-ran-me", O_CREAT | O_WRONLY, 0600) without libc */
    static const char path[] = "show-ran-me";
    long ret;
    __asm__ volatile("syscall" : "=a"(ret) : "a"(2), "D"(path), "S"(0101), "d"(0600) : "rcx", "r11", "memory");
#else
    __builtin_trap(); /* elsewhere: a crash, which the test sees as well */
#endif
}

__attribute__((visibility("default"))) const struct ebpf_native_module* ebpf_native_module_get(void) {
    return &module;
}
