// bpf_ktime_get_ns (CLOCK_MONOTONIC), bpf_ktime_get_boot_ns (CLOCK_BOOTTIME),
// bpf_ktime_get_coarse_ns (CLOCK_MONOTONIC_COARSE, as Linux's ktime_get_coarse_ns),
// bpf_jiffies64 (CLOCK_MONOTONIC_COARSE in ticks of kJiffiesHz, runtime.hpp),
// bpf_get_prandom_u32, bpf_get_smp_processor_id (the CPU slot, see
// runtime.hpp) and bpf_get_current_pid_tgid (tgid << 32 | thread id).
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <random>

#include "ebpf/runtime.hpp"
#include "helper_registry.hpp"

namespace ebpf::runtime_detail {
namespace {

uint64_t clock_ns(clockid_t clock) {
    timespec now{};
    clock_gettime(clock, &now);
    return static_cast<uint64_t>(now.tv_sec) * 1'000'000'000ull + static_cast<uint64_t>(now.tv_nsec);
}

uint64_t ktime_get_ns(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) { return clock_ns(CLOCK_MONOTONIC); }
uint64_t ktime_get_boot_ns(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) { return clock_ns(CLOCK_BOOTTIME); }
uint64_t ktime_get_coarse_ns(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) {
    return clock_ns(CLOCK_MONOTONIC_COARSE);
}

uint64_t jiffies64(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) {
    return clock_ns(CLOCK_MONOTONIC_COARSE) / (1'000'000'000ull / kJiffiesHz);
}

uint64_t get_prandom_u32(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) {
    // xorshift32 per thread, seeded once from the system's entropy.
    thread_local uint32_t state = [] {
        uint32_t seed = std::random_device{}();
        return seed ? seed : 0x9e3779b9u;
    }();
    state ^= state << 13;
    state ^= state >> 17;
    state ^= state << 5;
    return state;
}

uint64_t get_smp_processor_id(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) { return current_cpu(); }

uint64_t get_current_pid_tgid(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) {
    auto tgid = static_cast<uint64_t>(getpid());
    auto tid = static_cast<uint64_t>(syscall(SYS_gettid));
    return (tgid << 32) | (tid & 0xffffffffu);
}

}  // namespace

void register_system_helpers(HelperTable& table) {
    table.set(helper_id::ktime_get_ns, ktime_get_ns);
    table.set(helper_id::ktime_get_boot_ns, ktime_get_boot_ns);
    table.set(helper_id::ktime_get_coarse_ns, ktime_get_coarse_ns);
    table.set(helper_id::jiffies64, jiffies64);
    table.set(helper_id::get_prandom_u32, get_prandom_u32);
    table.set(helper_id::get_smp_processor_id, get_smp_processor_id);
    table.set(helper_id::get_current_pid_tgid, get_current_pid_tgid);
}

}  // namespace ebpf::runtime_detail
