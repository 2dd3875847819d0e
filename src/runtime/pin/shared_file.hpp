// Shared-memory files under the pin root (internal): mapping a file
// MAP_SHARED with every size checked first, pid-owned locks that survive a
// process dying while it holds them, and process liveness.
//
// Nothing here stores a pointer in shared memory: every reference between
// parts of a file is an offset or an index, checked against the size the
// *reader* computed before it is followed. A file another process (or an
// attacker who can write it) changes while we read it can make us read
// wrong data, never outside the mapping.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>

namespace ebpf::runtime_detail {

// A file mapped MAP_SHARED, unmapped and closed on destruction.
class SharedMapping {
public:
    SharedMapping() = default;
    SharedMapping(int fd, size_t size, void* base) : fd_(fd), size_(size), base_(base) {}
    ~SharedMapping();
    SharedMapping(SharedMapping&& other) noexcept;
    SharedMapping& operator=(SharedMapping&& other) noexcept;
    SharedMapping(const SharedMapping&) = delete;
    SharedMapping& operator=(const SharedMapping&) = delete;

    uint8_t* base() const { return static_cast<uint8_t*>(base_); }
    size_t size() const { return size_; }
    int fd() const { return fd_; }
    template <typename T>
    T* at(uint64_t offset) const {
        return reinterpret_cast<T*>(base() + offset);
    }

private:
    int fd_ = -1;
    size_t size_ = 0;
    void* base_ = nullptr;
};

// Creates `path` exclusively (O_EXCL, mode 0600), sized `size` (zeroed), and maps it.
// Throws ebpf::Error "path: why".
SharedMapping create_shared_file(const std::string& path, size_t size);
// Opens and maps an existing file read-write. `min_size`: smaller files are
// refused before mapping ("path: truncated ..."); `max_size` bounds what a
// hostile file can make us map. Regular files only (no FIFO/device).
SharedMapping open_shared_file(const std::string& path, size_t min_size, size_t max_size);

// Creates `directory` and its parents (mode 0755) when missing; throws naming it.
void make_directories(const std::string& directory);

// This process's pid and its start time (/proc/self/stat field 22), which
// together name a process even after its pid is reused.
struct ProcessIdentity {
    int32_t pid = 0;
    uint64_t start_time = 0;
};
ProcessIdentity this_process();
// True when the process `who` names still runs (same pid, same start time).
bool process_alive(const ProcessIdentity& who);

// A lock word in shared memory holding its owner's pid (0: free). A process
// that dies holding it cannot leave it locked forever: a waiter that finds
// the owner gone takes it over (compare-and-swap from the dead pid) and is
// told so, to repair what the owner may have left half done. Critical
// sections are a few stores long, so waiters spin and yield. A word a live
// process keeps (a writer of the file gone wrong, or hostile) is waited for
// at most kOwnerLockPatience: then the lock is not acquired and the
// operation fails with EBUSY instead of hanging.
inline constexpr int kOwnerLockPatienceMs = 1000;
class OwnerLock {
public:
    explicit OwnerLock(std::atomic<uint32_t>* word);
    ~OwnerLock();
    OwnerLock(const OwnerLock&) = delete;
    OwnerLock& operator=(const OwnerLock&) = delete;
    bool acquired() const { return acquired_; }
    // The previous owner died holding the lock.
    bool recovered() const { return recovered_; }

private:
    std::atomic<uint32_t>* word_;
    bool acquired_ = false;
    bool recovered_ = false;
};

}  // namespace ebpf::runtime_detail
