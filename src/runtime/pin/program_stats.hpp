// Program run statistics and published records (internal). Counters are per
// CPU slot, one cache line each, written only by the thread holding that
// slot (plain relaxed stores, no read-modify-write); in the process until
// the program is published, then in its record file under <root>/progs.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "ebpf/runtime.hpp"
#include "shared_file.hpp"

namespace ebpf::runtime_detail {

struct alignas(64) RunCounter {
    std::atomic<uint64_t> count{0};
    std::atomic<uint64_t> ns{0};
};
static_assert(sizeof(RunCounter) == 64);

struct ProgramRunStats {
    explicit ProgramRunStats(uint32_t cpus) : local(new RunCounter[cpus]), active(local.get()), cpus(cpus) {}
    ~ProgramRunStats();
    std::unique_ptr<RunCounter[]> local;
    std::atomic<RunCounter*> active;
    uint32_t cpus;
    SharedMapping record;      // <root>/progs/<id> once published
    std::string record_path;   // unlinked with the program

    void add(uint64_t ns) {
        uint32_t cpu = current_cpu();
        if (cpu >= cpus) return;
        RunCounter& counter = active.load(std::memory_order_acquire)[cpu];
        counter.count.store(counter.count.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
        counter.ns.store(counter.ns.load(std::memory_order_relaxed) + ns, std::memory_order_relaxed);
    }
    static ProgramRunStats& of(const LoadedProgram& program) { return *program.stats_; }
};

// -1 until read from $EBPF_STATS, then 0 or 1.
extern std::atomic<int> program_stats_state;
int program_stats_from_environment();
inline bool program_stats_on() {
    int state = program_stats_state.load(std::memory_order_relaxed);
    return state > 0 || (state < 0 && program_stats_from_environment() > 0);
}

}  // namespace ebpf::runtime_detail
