// CPU slots (see runtime.hpp: a "CPU" is an execution slot) and the epochs
// that make lock-free lookups safe (cpu_epoch.hpp).
#include <atomic>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>

#include "cpu_epoch.hpp"
#include "ebpf/runtime.hpp"

namespace ebpf {
namespace {

// One word per slot: 0 when free, else the global epoch at the start of the
// run that holds it. Taking a slot and announcing the epoch is then one
// compare-and-swap (one locked instruction per run), and leaving it one
// release store.
struct alignas(64) CpuSlot {
    std::atomic<uint64_t> epoch{0};
};

struct CpuSlots {
    uint32_t count;
    std::unique_ptr<CpuSlot[]> slots;
    std::atomic<uint64_t> global_epoch{1};

    CpuSlots() : count(detect()), slots(new CpuSlot[count]) {}

    static uint32_t detect() {
        if (const char* env = std::getenv("EBPF_NUM_CPUS")) {
            char* end = nullptr;
            unsigned long n = std::strtoul(env, &end, 10);
            if (end != env && *end == '\0' && n >= 1 && n <= 1024) return static_cast<uint32_t>(n);
        }
        unsigned n = std::thread::hardware_concurrency();
        return n == 0 ? 1 : n;
    }
};

CpuSlots& cpu_slots() {
    static CpuSlots instance;
    return instance;
}

struct ThreadCpu {
    uint32_t depth = 0;
    uint32_t cpu = 0;
    uint32_t preferred = UINT32_MAX;
};
thread_local ThreadCpu this_thread_cpu;

}  // namespace

uint32_t possible_cpus() { return cpu_slots().count; }

uint32_t current_cpu() { return this_thread_cpu.depth ? this_thread_cpu.cpu : 0; }

CpuScope::CpuScope() {
    ThreadCpu& self = this_thread_cpu;
    if (self.depth++ > 0) return;
    CpuSlots& all = cpu_slots();
    if (self.preferred == UINT32_MAX) {
        self.preferred = static_cast<uint32_t>(std::hash<std::thread::id>{}(std::this_thread::get_id()) % all.count);
    }
    // Take a free slot, starting with the one this thread used last; when all
    // are busy, wait as a program waits for a CPU.
    for (uint32_t attempt = 0;; ++attempt) {
        for (uint32_t i = 0; i < all.count; ++i) {
            uint32_t cpu = (self.preferred + i) % all.count;
            CpuSlot& slot = all.slots[cpu];
            uint64_t free = 0;
            // seq_cst: the run's loads of shared memory must not move before
            // the announcement a reclaimer checks (epoch_passed).
            if (slot.epoch.load(std::memory_order_relaxed) == 0 &&
                slot.epoch.compare_exchange_strong(free, all.global_epoch.load())) {
                self.cpu = cpu;
                self.preferred = cpu;
                return;
            }
        }
        std::this_thread::yield();
    }
}

CpuScope::~CpuScope() {
    ThreadCpu& self = this_thread_cpu;
    if (--self.depth > 0) return;
    CpuSlot& slot = cpu_slots().slots[self.cpu];
    // Release: every access of the run happens before a reclaimer's load
    // (seq_cst, so acquire) that sees 0, or a thread's CAS that takes the slot.
    slot.epoch.store(0, std::memory_order_release);
}

namespace runtime_detail {

uint64_t retire_epoch() { return cpu_slots().global_epoch.fetch_add(1); }

bool epoch_passed(uint64_t stamp) {
    CpuSlots& all = cpu_slots();
    for (uint32_t i = 0; i < all.count; ++i) {
        uint64_t epoch = all.slots[i].epoch.load();
        if (epoch != 0 && epoch <= stamp) return false;
    }
    return true;
}

}  // namespace runtime_detail
}  // namespace ebpf
