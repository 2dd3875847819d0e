// CPU slots (see runtime.hpp: a "CPU" is an execution slot) and the epochs
// that make lock-free lookups safe (cpu_epoch.hpp).
//
// Every run needs two things: a slot no other run uses meanwhile (per-CPU
// data is written without atomics), and an announcement of the epoch it began
// in, made before it reads shared memory (a reclaimer must see it). A slot is
// held in one of two ways:
//
//  * bound: while there are no more threads running programs than slots, each
//    such thread is bound to a slot of its own. Entering a run is then a plain
//    store to the thread's own record and a load of the slot's owner; leaving
//    it one release store. No locked instruction, no fence: the order those
//    would give (the announcement before the run's reads, against a
//    reclaimer's scan; the owner check, against a thread taking the slot away)
//    is given from the other side instead, by membarrier(2), which makes every
//    running thread of the process execute a full barrier. That costs the rare
//    side about a microsecond: a reclaimer once per batch of retired memory,
//    and a thread that takes a bound slot away.
//  * shared: a slot that had to be taken from the thread bound to it stays
//    shared from then on; a run holds it with one compare-and-swap of the
//    slot's epoch word, which is the announcement too. Every slot is shared
//    where membarrier is unavailable (kernels before 4.14, seccomp filters) or
//    when EBPF_CPU_SLOTS=shared.
#include <linux/membarrier.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "cpu_epoch.hpp"
#include "ebpf/runtime.hpp"

namespace ebpf {
namespace {

// A record's word while its thread runs on a bound slot: the slot index + 1
// in the top 16 bits, the epoch the run began in below (epochs stay far below
// 2^48: one per retirement). 0 when the thread runs nothing.
constexpr int kSlotShift = 48;
constexpr uint64_t kEpochMask = (uint64_t{1} << kSlotShift) - 1;
constexpr uint64_t announcement(uint32_t slot, uint64_t epoch) {
    return (uint64_t{slot} + 1) << kSlotShift | (epoch & kEpochMask);
}

// One per thread that ever ran a program; reused by later threads, never freed
// (a reclaimer may be scanning it).
struct alignas(64) ThreadRecord {
    std::atomic<uint64_t> active{0};  // written only by the thread using the record
    std::atomic<bool> in_use{false};
    ThreadRecord* next = nullptr;  // the registry, append-only
};

// A slot's owner: free for binding, shared, being made shared (its bound
// thread's last run may not have ended), or the bound thread's record.
constexpr uintptr_t kUnbound = 0;
constexpr uintptr_t kShared = 1;
constexpr uintptr_t kSharing = 2;

struct alignas(64) CpuSlot {
    std::atomic<uintptr_t> owner{kUnbound};
    // Shared slots: 0 when free, else the global epoch at the start of the run
    // that holds it (taking it and announcing are one compare-and-swap).
    std::atomic<uint64_t> epoch{0};
};

bool membarrier_usable() {
    if (const char* mode = std::getenv("EBPF_CPU_SLOTS"); mode && std::strcmp(mode, "shared") == 0) return false;
    const long commands = ::syscall(__NR_membarrier, MEMBARRIER_CMD_QUERY, 0, 0);
    if (commands < 0 || !(commands & MEMBARRIER_CMD_PRIVATE_EXPEDITED)) return false;
    return ::syscall(__NR_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0) == 0;
}

void fork_child();

struct CpuSlots {
    uint32_t count;
    std::unique_ptr<CpuSlot[]> slots;
    std::atomic<uint64_t> global_epoch{1};
    std::atomic<ThreadRecord*> records{nullptr};
    // Threads that may be bound (counted before their first bound run, until
    // they notice they lost the slot or end): a reclaimer that is the only
    // one needs no membarrier, since its own runs are in program order.
    std::atomic<uint32_t> bound_threads{0};
    bool binding;  // membarrier works: threads may bind to slots

    CpuSlots() : count(detect()), slots(new CpuSlot[count]), binding(membarrier_usable()) {
        if (!binding) {
            for (uint32_t i = 0; i < count; ++i) slots[i].owner.store(kShared, std::memory_order_relaxed);
        }
        ::pthread_atfork(nullptr, nullptr, fork_child);
    }

    static uint32_t detect() {
        if (const char* env = std::getenv("EBPF_NUM_CPUS")) {
            char* end = nullptr;
            unsigned long n = std::strtoul(env, &end, 10);
            if (end != env && *end == '\0' && n >= 1 && n <= 1024) return static_cast<uint32_t>(n);
        }
        unsigned n = std::thread::hardware_concurrency();
        return n == 0 ? 1 : n;
    }

    // The other side of every bound run's missing fence (see the top).
    void heavy_fence() const {
        if (!binding) return;
        if (::syscall(__NR_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0) != 0) {
            // Registered at start and again after fork: this cannot fail, and
            // without it a reclaimer could free memory a run still reads.
            std::fprintf(stderr, "ebpf-native: membarrier failed: %s\n", std::strerror(errno));
            std::abort();
        }
    }
};

CpuSlots& cpu_slots() {
    // Never destroyed: threads still running programs while the process
    // exits (detached ones), and the exit hooks of threads that end after
    // static destruction, use the slots.
    static CpuSlots& instance = *new CpuSlots;
    return instance;
}

// Trivially destructible, so the run path reaches it without a TLS guard.
struct ThreadCpu {
    uint32_t depth = 0;
    uint32_t cpu = 0;
    bool bound = false;  // holds slot `cpu` by binding (else a shared slot while depth > 0)
    bool exited = false; // ThreadExit ran (a later run, from another thread_local's destructor, takes a record anew)
    ThreadRecord* record = nullptr;
    CpuSlots* slots = nullptr;
};
constinit thread_local ThreadCpu this_thread_cpu;

// Gives the slot and the record back when a thread that ran programs ends.
struct ThreadExit {
    ~ThreadExit() {
        ThreadCpu& self = this_thread_cpu;
        if (!self.record) return;
        if (self.bound) {
            auto mine = reinterpret_cast<uintptr_t>(self.record);
            self.slots->slots[self.cpu].owner.compare_exchange_strong(mine, kUnbound);
            self.slots->bound_threads.fetch_sub(1);
        }
        self.record->active.store(0, std::memory_order_release);
        self.record->in_use.store(false, std::memory_order_release);
        self.record = nullptr;
        self.bound = false;
        self.exited = true;
    }
};
thread_local ThreadExit this_thread_exit;

ThreadRecord* take_record(CpuSlots& all) {
    for (ThreadRecord* r = all.records.load(std::memory_order_acquire); r; r = r->next) {
        bool free = false;
        if (!r->in_use.load(std::memory_order_relaxed) && r->in_use.compare_exchange_strong(free, true)) return r;
    }
    auto* r = new ThreadRecord;  // lives as long as the process (reclaimers may scan it)
    r->in_use.store(true, std::memory_order_relaxed);
    ThreadRecord* head = all.records.load(std::memory_order_relaxed);
    do {
        r->next = head;
    } while (!all.records.compare_exchange_weak(head, r, std::memory_order_release, std::memory_order_relaxed));
    return r;
}

// Announces a run on the bound slot; false when the slot was taken away.
// Inlined into CpuScope(): it is most of what a run costs to enter.
[[gnu::always_inline]] inline bool enter_bound(ThreadCpu& self) {
    CpuSlots& all = *self.slots;
    self.record->active.store(announcement(self.cpu, all.global_epoch.load(std::memory_order_acquire)),
                              std::memory_order_relaxed);
    // Only the compiler must keep the store before the load: membarrier orders
    // them for the threads that look (a reclaimer, a thread taking the slot).
    std::atomic_signal_fence(std::memory_order_seq_cst);
    if (all.slots[self.cpu].owner.load(std::memory_order_relaxed) == reinterpret_cast<uintptr_t>(self.record))
        return true;
    self.record->active.store(0, std::memory_order_release);
    self.bound = false;
    all.bound_threads.fetch_sub(1);
    return false;
}

bool enter_shared(CpuSlots& all, ThreadCpu& self, uint32_t cpu) {
    CpuSlot& slot = all.slots[cpu];
    if (slot.owner.load(std::memory_order_acquire) != kShared) return false;
    uint64_t free = 0;
    // seq_cst: the run's loads of shared memory must not move before the
    // announcement a reclaimer checks (oldest_running_epoch).
    if (slot.epoch.load(std::memory_order_relaxed) != 0 ||
        !slot.epoch.compare_exchange_strong(free, all.global_epoch.load()))
        return false;
    self.cpu = cpu;
    self.bound = false;
    return true;
}

// Makes a bound slot shared: after the fence its thread either sees that it
// lost the slot before running, or its run is visible and we wait it out.
void share(CpuSlots& all, uint32_t cpu, uintptr_t owner) {
    CpuSlot& slot = all.slots[cpu];
    if (!slot.owner.compare_exchange_strong(owner, kSharing)) return;
    all.heavy_fence();
    const auto* record = reinterpret_cast<const ThreadRecord*>(owner);
    while ((record->active.load(std::memory_order_acquire) >> kSlotShift) == uint64_t{cpu} + 1)
        std::this_thread::yield();
    slot.owner.store(kShared, std::memory_order_release);  // its accesses happen before any shared run's
}

// Out of line: inlined, its register saves would land on every run's path.
[[gnu::noinline]] void take_slot(ThreadCpu& self) {
    CpuSlots& all = *self.slots;
    if (!self.record) {
        self.record = take_record(all);
        if (!self.exited) (void)&this_thread_exit;  // registers the thread's exit hook
        self.cpu = static_cast<uint32_t>(std::hash<std::thread::id>{}(std::this_thread::get_id()) % all.count);
    }
    const auto mine = reinterpret_cast<uintptr_t>(self.record);
    for (uint32_t rounds = 0;;) {
        // A slot of our own: the one used last first, then any unbound one.
        bool any_shared = false;
        for (uint32_t i = 0, cpu = self.cpu; i < all.count; ++i, cpu = cpu + 1 == all.count ? 0 : cpu + 1) {
            uintptr_t owner = all.slots[cpu].owner.load(std::memory_order_acquire);
            any_shared |= owner == kShared || owner == kSharing;
            if (owner == kUnbound && all.slots[cpu].owner.compare_exchange_strong(owner, mine)) {
                // Counted (a locked instruction, so a full fence) before the
                // first bound run: a reclaimer that counts after this sees us,
                // one that counted before unlinked before our run reads.
                all.bound_threads.fetch_add(1);
                self.cpu = cpu;
                self.bound = true;
                if (enter_bound(self)) return;
            }
        }
        // Else a free shared slot, as a program waits for a CPU.
        for (uint32_t i = 0, cpu = self.cpu; i < all.count; ++i, cpu = cpu + 1 == all.count ? 0 : cpu + 1) {
            if (enter_shared(all, self, cpu)) return;
        }
        // Every shared slot is busy, or there is none: share a bound slot,
        // searching from the one after ours (threads spread their takeovers).
        // One whose thread is not running first, even when shared slots
        // exist (after a few rounds of waiting for them, so that a short
        // wait does not cost a bound thread its fast path): waiting only for
        // the shared ones would leave slots bound to threads that ran once
        // and now idle (or block forever) unused, and a run that holds the
        // one shared slot while it waits for this run would wait forever
        // (CpuSlots.IdleBoundSlotsServeOtherRuns). Where nothing is shared
        // and every bound thread runs, wait out the next.
        bool shared_one = false;
        uint32_t busy = all.count;  // the first bound slot whose thread runs
        for (uint32_t i = 0, cpu = self.cpu; i < all.count && !shared_one && (!any_shared || rounds >= 8); ++i) {
            cpu = cpu + 1 == all.count ? 0 : cpu + 1;
            const uintptr_t owner = all.slots[cpu].owner.load(std::memory_order_acquire);
            if (owner <= kSharing || owner == mine) continue;
            // Records are never freed: reading a former owner's is harmless.
            const auto* record = reinterpret_cast<const ThreadRecord*>(owner);
            if ((record->active.load(std::memory_order_relaxed) >> kSlotShift) != uint64_t{cpu} + 1) {
                share(all, cpu, owner);
                shared_one = true;
            } else if (busy == all.count) {
                busy = cpu;
            }
        }
        if (shared_one) continue;
        if (!any_shared && busy != all.count) {
            const uintptr_t owner = all.slots[busy].owner.load(std::memory_order_acquire);
            if (owner > kSharing && owner != mine) share(all, busy, owner);
            continue;
        }
        ++rounds;
        std::this_thread::yield();
    }
}

// In a child of fork() only the forking thread exists: the slots and records
// of the others are free again, and membarrier is registered anew.
void fork_child() {
    CpuSlots& all = cpu_slots();
    ThreadCpu& self = this_thread_cpu;
    for (ThreadRecord* r = all.records.load(std::memory_order_relaxed); r; r = r->next) {
        if (r == self.record) continue;
        r->active.store(0, std::memory_order_relaxed);
        r->in_use.store(false, std::memory_order_relaxed);
    }
    const auto mine = reinterpret_cast<uintptr_t>(self.record);
    for (uint32_t i = 0; i < all.count; ++i) {
        CpuSlot& slot = all.slots[i];
        const bool ours = self.depth > 0 && self.cpu == i;
        if (!ours) slot.epoch.store(0, std::memory_order_relaxed);
        const uintptr_t owner = slot.owner.load(std::memory_order_relaxed);
        if (owner == kSharing) {
            // Another thread was taking it from its bound thread. When that
            // was this thread, the slot is ours again: made shared, it would
            // let a new thread of the child run on it while the run this
            // thread forked from goes on (the taker, which would have waited
            // for that run, does not exist here;
            // CpuSlots.ForkInsideARunWhileItsSlotIsBeingTaken).
            slot.owner.store(self.bound && self.cpu == i ? mine : kShared, std::memory_order_relaxed);
        } else if (owner != kShared && owner != mine) {
            slot.owner.store(kUnbound, std::memory_order_relaxed);
        }
    }
    all.bound_threads.store(self.bound ? 1 : 0, std::memory_order_relaxed);
    if (all.binding && ::syscall(__NR_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0) != 0) {
        // Without membarrier, bound slots are unsafe: share every slot. When
        // this thread forked from inside a run on its bound slot, the run now
        // holds that slot the shared way (its epoch word, with the epoch it
        // announced): else the slot would look free to the child's other
        // threads during the run, and the stale announcement in our record
        // (no longer cleared at the run's end) would stop reclamation for good.
        if (self.bound && self.depth > 0) {
            all.slots[self.cpu].epoch.store(self.record->active.load(std::memory_order_relaxed) & kEpochMask,
                                            std::memory_order_relaxed);
            self.record->active.store(0, std::memory_order_relaxed);
        }
        for (uint32_t i = 0; i < all.count; ++i) all.slots[i].owner.store(kShared, std::memory_order_relaxed);
        all.binding = false;
        all.bound_threads.store(0, std::memory_order_relaxed);
        self.bound = false;
    }
}

}  // namespace

uint32_t possible_cpus() { return cpu_slots().count; }

uint32_t current_cpu() { return this_thread_cpu.depth ? this_thread_cpu.cpu : 0; }

CpuScope::CpuScope() {
    ThreadCpu& self = this_thread_cpu;
    if (self.depth++ > 0) return;
    if (self.bound && enter_bound(self)) [[likely]]
        return;
    if (!self.slots) self.slots = &cpu_slots();
    take_slot(self);
}

CpuScope::~CpuScope() {
    ThreadCpu& self = this_thread_cpu;
    if (--self.depth > 0) return;
    // Release: every access of the run happens before a reclaimer's load that
    // sees the slot idle, or before the next holder of the slot.
    if (self.bound)
        self.record->active.store(0, std::memory_order_release);
    else
        self.slots->slots[self.cpu].epoch.store(0, std::memory_order_release);
}

namespace runtime_detail {

uint64_t retire_epoch() { return cpu_slots().global_epoch.fetch_add(1); }

uint64_t oldest_running_epoch() {
    CpuSlots& all = cpu_slots();
    // A read-modify-write: ordered with every thread's count (see take_slot).
    const uint32_t others = all.bound_threads.fetch_add(0) - (this_thread_cpu.bound ? 1 : 0);
    if (others > 0) all.heavy_fence();
    uint64_t oldest = UINT64_MAX;
    for (uint32_t i = 0; i < all.count; ++i) {
        const uint64_t epoch = all.slots[i].epoch.load();
        if (epoch != 0 && epoch < oldest) oldest = epoch;
    }
    for (ThreadRecord* r = all.records.load(std::memory_order_acquire); r; r = r->next) {
        const uint64_t word = r->active.load();
        if (word != 0 && (word & kEpochMask) < oldest) oldest = word & kEpochMask;
    }
    return oldest;
}

}  // namespace runtime_detail
}  // namespace ebpf
