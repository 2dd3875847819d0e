// bpf_spin_lock / bpf_spin_unlock on the struct bpf_spin_lock of a map value.
//
// The lock is not the 4 bytes in the map value: programs and user space may
// overwrite those (a whole-value bpf_map_update_elem copies them), and a
// word that reads "locked" would make every later bpf_spin_lock spin
// forever. Instead the lock's address picks one of a fixed set of mutexes.
// What the verifier proves makes that enough: a program holds at most one
// lock, calls nothing while holding it and releases it on every path, so a
// thread never waits while holding one (no deadlock, even when two locks
// share a mutex) and never leaves one held. Exclusion is per process: two
// processes that share a map (LoadOptions::share_maps) do not exclude each
// other (docs/limits.md).
#include <array>
#include <cstdint>
#include <mutex>

#include "ebpf/runtime.hpp"
#include "helper_registry.hpp"

namespace ebpf::runtime_detail {
namespace {

std::mutex& lock_for(uint64_t address) {
    static std::array<std::mutex, 64> stripes;
    // struct bpf_spin_lock is 4-byte aligned; mix the higher bits in.
    const uint64_t h = (address >> 2) * 0x9e3779b97f4a7c15ull;
    return stripes[h >> 58];
}

uint64_t spin_lock(uint64_t lock, uint64_t, uint64_t, uint64_t, uint64_t) {
    lock_for(lock).lock();
    return 0;
}

uint64_t spin_unlock(uint64_t lock, uint64_t, uint64_t, uint64_t, uint64_t) {
    lock_for(lock).unlock();
    return 0;
}

}  // namespace

void register_lock_helpers(HelperTable& table) {
    table.set(helper_id::spin_lock, spin_lock);
    table.set(helper_id::spin_unlock, spin_unlock);
}

}  // namespace ebpf::runtime_detail
