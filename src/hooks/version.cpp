// ebpf_version(): the version of the library a program runs with, from the
// one place it is set (the CMake project version → ebpf/version.h).
#include "ebpf/ebpf.h"
#include "ebpf/version.h"

extern "C" const char* ebpf_version(void) { return EBPF_NATIVE_VERSION; }
