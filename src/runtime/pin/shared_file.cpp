// Shared-memory files: see shared_file.hpp.
#include "shared_file.hpp"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <sstream>
#include <utility>

#include "ebpf/error.hpp"

namespace ebpf::runtime_detail {
namespace {

[[noreturn]] void fail_errno(const std::string& path, const std::string& what, int error) {
    throw Error(path + ": " + what + ": " + std::strerror(error));
}

uint64_t start_time_of(int32_t pid) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    // Field 2 (comm) may hold spaces and parentheses: fields resume after the last ')'.
    auto close = text.rfind(')');
    if (close == std::string::npos) return 0;
    std::istringstream fields(text.substr(close + 1));
    std::string field;
    for (int index = 3; fields >> field; ++index) {
        if (index == 22) return std::strtoull(field.c_str(), nullptr, 10);
    }
    return 0;
}

// getpid() is a system call; lock words need it on every write. Cached,
// and refreshed in a forked child (which must not lock as its parent).
std::atomic<uint32_t> cached_pid{0};

void refresh_pid() { cached_pid.store(static_cast<uint32_t>(getpid()), std::memory_order_relaxed); }

uint32_t current_pid() {
    uint32_t pid = cached_pid.load(std::memory_order_relaxed);
    if (pid == 0) {
        static const int registered = pthread_atfork(nullptr, nullptr, refresh_pid);
        (void)registered;
        refresh_pid();
        pid = cached_pid.load(std::memory_order_relaxed);
    }
    return pid;
}

}  // namespace

SharedMapping::~SharedMapping() {
    if (base_) munmap(base_, size_);
    if (fd_ >= 0) close(fd_);
}

SharedMapping::SharedMapping(SharedMapping&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), size_(std::exchange(other.size_, 0)), base_(std::exchange(other.base_, nullptr)) {}

SharedMapping& SharedMapping::operator=(SharedMapping&& other) noexcept {
    if (this != &other) {
        SharedMapping old(std::move(*this));
        fd_ = std::exchange(other.fd_, -1);
        size_ = std::exchange(other.size_, 0);
        base_ = std::exchange(other.base_, nullptr);
    }
    return *this;
}

SharedMapping create_shared_file(const std::string& path, size_t size) {
    int fd = open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) fail_errno(path, "cannot create", errno);
    if (ftruncate(fd, static_cast<off_t>(size)) != 0) {
        int error = errno;
        close(fd);
        unlink(path.c_str());
        fail_errno(path, "cannot size to " + std::to_string(size) + " bytes", error);
    }
    void* base = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (base == MAP_FAILED) {
        int error = errno;
        close(fd);
        unlink(path.c_str());
        fail_errno(path, "cannot map", error);
    }
    return SharedMapping(fd, size, base);
}

SharedMapping open_shared_file(const std::string& path, size_t min_size, size_t max_size) {
    int fd = open(path.c_str(), O_RDWR | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
    if (fd < 0) fail_errno(path, "cannot open", errno);
    struct stat st {};
    if (fstat(fd, &st) != 0) {
        int error = errno;
        close(fd);
        fail_errno(path, "cannot stat", error);
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        throw Error(path + ": not a regular file");
    }
    auto size = static_cast<uint64_t>(st.st_size);
    if (size < min_size) {
        close(fd);
        throw Error(path + ": truncated: " + std::to_string(size) + " bytes, a pin file has at least " +
                    std::to_string(min_size));
    }
    if (size > max_size) {
        close(fd);
        throw Error(path + ": " + std::to_string(size) + " bytes, more than the limit of " + std::to_string(max_size));
    }
    void* base = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (base == MAP_FAILED) {
        int error = errno;
        close(fd);
        fail_errno(path, "cannot map", error);
    }
    return SharedMapping(fd, size, base);
}

void make_directories(const std::string& directory) {
    std::string partial;
    size_t at = 0;
    while (at <= directory.size()) {
        size_t slash = directory.find('/', at);
        if (slash == std::string::npos) slash = directory.size();
        partial = directory.substr(0, slash);
        at = slash + 1;
        if (partial.empty()) continue;
        if (mkdir(partial.c_str(), 0755) != 0 && errno != EEXIST) fail_errno(partial, "cannot create directory", errno);
    }
    struct stat st {};
    if (stat(directory.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) throw Error(directory + ": not a directory");
}

ProcessIdentity this_process() {
    static const ProcessIdentity self{static_cast<int32_t>(getpid()), start_time_of(getpid())};
    // A forked child is another process.
    if (self.pid != getpid()) return {static_cast<int32_t>(getpid()), start_time_of(getpid())};
    return self;
}

bool process_alive(const ProcessIdentity& who) {
    if (who.pid <= 0) return false;
    if (kill(who.pid, 0) != 0 && errno == ESRCH) return false;
    uint64_t start = start_time_of(who.pid);
    // Unreadable /proc (another pid namespace): trust kill().
    return start == 0 || who.start_time == 0 || start == who.start_time;
}

OwnerLock::OwnerLock(std::atomic<uint32_t>* word) : word_(word) {
    const uint32_t self = current_pid();
    std::chrono::steady_clock::time_point started;
    for (uint32_t spins = 0;; ++spins) {
        uint32_t owner = 0;
        if (word_->compare_exchange_weak(owner, self, std::memory_order_acquire, std::memory_order_relaxed)) {
            acquired_ = true;
            return;
        }
        if (owner != 0 && owner != self && owner < (1u << 22) /* pid_max */ && spins % 64 == 63 && kill(static_cast<pid_t>(owner), 0) != 0 &&
            errno == ESRCH) {
            // The owner is gone: take the lock over from its pid (one
            // waiter wins), and repair.
            if (word_->compare_exchange_strong(owner, self, std::memory_order_acquire, std::memory_order_relaxed)) {
                acquired_ = recovered_ = true;
                return;
            }
        }
        if (spins % 16 == 15) sched_yield();
        if (spins % 1024 == 0) {
            auto now = std::chrono::steady_clock::now();
            if (spins == 0) started = now;
            else if (now - started > std::chrono::milliseconds(kOwnerLockPatienceMs)) return;  // not acquired
        }
    }
}

OwnerLock::~OwnerLock() {
    if (acquired_) word_->store(0, std::memory_order_release);
}

}  // namespace ebpf::runtime_detail
