// The USDT probes of usdt_probes.hpp. Probe sites and semaphores live here
// only, so `readelf -n libebpf-native.so` (or the `ebpf` binary) lists each
// probe once.
#define _SDT_HAS_SEMAPHORES 1
#include "usdt_probes.hpp"

#include <sys/sdt.h>
#include <time.h>

#include <algorithm>
#include <cstring>
#include <string>

extern "C" {
// What `dtrace -G` would generate: one 16-bit counter per probe in section
// .probes, its address recorded in the probe's note.
__extension__ volatile unsigned short ebpf_native_printk_semaphore __attribute__((unused))
__attribute__((section(".probes"))) = 0;
__extension__ volatile unsigned short ebpf_native_prog_run_semaphore __attribute__((unused))
__attribute__((section(".probes"))) = 0;
}

namespace ebpf::trace_probes {

void fire_printk(std::string_view program, std::string_view message) {
    const std::string name(program), text(message);  // NUL-terminated for the tracer
    STAP_PROBE2(ebpf_native, printk, name.c_str(), text.c_str());
}

void fire_prog_run(std::string_view program, uint64_t result, uint64_t nanoseconds) {
    const std::string name(program);
    STAP_PROBE3(ebpf_native, prog_run, name.c_str(), result, nanoseconds);
}

uint64_t monotonic_ns() {
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC, &now);
    return static_cast<uint64_t>(now.tv_sec) * 1'000'000'000ull +
           static_cast<uint64_t>(now.tv_nsec);
}

}  // namespace ebpf::trace_probes
