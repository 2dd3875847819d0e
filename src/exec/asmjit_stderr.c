/* Debian ships asmjit only as a static library built as position-
 * independent *executable* code: it reaches libc's `stderr` with a
 * PC-relative relocation, which a shared object cannot resolve against a
 * symbol in another library. Every shared object that carries the JIT
 * (libebpf-native.so, the bind shim) compiles this file: it gives the archive
 * a `stderr` of its own (hidden: never exported, never seen by the program
 * that loads the object) and points it at libc's stream before anything
 * runs. Only asmjit's debug output (and the shim's own messages) use it. Not
 * part of the static component: executables resolve libc's stderr directly. No stdio.h here: it declares stderr with default visibility. */
#define _GNU_SOURCE
#include <dlfcn.h>

struct _IO_FILE;
__attribute__((visibility("hidden"))) struct _IO_FILE *stderr;

__attribute__((constructor(101))) static void ebpf_asmjit_init_stderr(void)
{
    struct _IO_FILE **libc_stderr = (struct _IO_FILE **)dlsym(RTLD_DEFAULT, "stderr");
    if (libc_stderr)
        stderr = *libc_stderr;
}
