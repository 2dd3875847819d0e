// CPU slots and epoch-based reclamation (internal). A running program holds a
// CPU slot and announces the global epoch at which the run began (in its
// thread's record or its shared slot: cpu_slots.cpp). Memory a map unlinks (a
// deleted hash element, an old LPM snapshot, an inner map) is retired with the
// epoch at unlink time and reused or freed only once every run still going
// began later: a pointer a program got from a lookup stays valid until its
// run ends, and lookups never take a lock.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <mutex>
#include <utility>
#include <vector>

namespace ebpf::runtime_detail {

// Stamps a retirement: returns the epoch that readers which may still see the
// retired memory started in (or before).
uint64_t retire_epoch();
// The epoch the oldest run still going began in (UINT64_MAX when none is):
// memory retired with a stamp below it may be reused. One call costs a
// membarrier(2) where runs take no fence (cpu_slots.cpp), so reclaimers take
// one snapshot per batch, not one per retired item.
uint64_t oldest_running_epoch();

// Deferred actions (frees) run once their epoch has passed.
class RetireList {
public:
    ~RetireList() { drain(); }
    void retire(std::function<void()> action) {
        std::lock_guard lock(mutex_);
        pending_.emplace_back(retire_epoch(), std::move(action));
        // In batches: what a collection keeps (runs still going) doubles the
        // next batch, so long runs do not make every retirement scan.
        if (pending_.size() >= next_collect_) {
            collect_locked();
            next_collect_ = std::max<size_t>(kBatch, 2 * pending_.size());
        }
    }
    void collect() {
        std::lock_guard lock(mutex_);
        collect_locked();
    }
    // Runs everything (the owner is being destroyed: no program can use it).
    void drain() {
        std::lock_guard lock(mutex_);
        for (auto& [stamp, action] : pending_) action();
        pending_.clear();
    }

private:
    void collect_locked() {
        if (pending_.empty()) return;
        const uint64_t oldest = oldest_running_epoch();
        size_t kept = 0;
        for (auto& entry : pending_) {
            if (entry.first < oldest) {
                entry.second();
            } else {
                pending_[kept++] = std::move(entry);
            }
        }
        pending_.resize(kept);
    }
    static constexpr size_t kBatch = 32;
    std::mutex mutex_;
    std::vector<std::pair<uint64_t, std::function<void()>>> pending_;
    size_t next_collect_ = kBatch;
};

}  // namespace ebpf::runtime_detail
