// The bpf_printk trace buffer: a file in shared memory that any process can
// map. Layout (all little-endian, version 1):
//   header (64 bytes): magic, version, record count (power of 2), record
//     size, next sequence number (atomic), writer drops (atomic);
//   records: {u64 state; u64 timestamp_ns; u32 pid, tid, cpu, length;
//     char message[kMessageSize]}.
// A writer claims sequence number s (fetch_add), takes the record s % count
// by moving its state from an even value below 2s+1 to 2s+1 (writing), fills
// it, and publishes state 2s+2. A writer that finds the record busy counts a
// drop and returns: writers never wait. Readers copy a record and keep it
// only if its state was 2s+2 before and after the copy (a seqlock), so an
// overwritten record is reported as lost, never as garbage.
#include <fcntl.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <mutex>

#include "ebpf/error.hpp"
#include "ebpf/runtime.hpp"

namespace ebpf {
namespace {

constexpr uint64_t kMagic = 0x3130454341525445ull;  // "ETRACE01"
constexpr uint32_t kVersion = 1;
constexpr uint32_t kRecordCount = 4096;
constexpr uint32_t kRecordSize = 256;
constexpr uint32_t kMessageSize = kRecordSize - 32;

struct Header {
    uint64_t magic;
    uint32_t version;
    uint32_t record_count;
    uint32_t record_size;
    uint32_t reserved;
    std::atomic<uint64_t> next_sequence;
    std::atomic<uint64_t> writer_drops;
    uint64_t padding[3];
};
static_assert(sizeof(Header) == 64);

struct Record {
    std::atomic<uint64_t> state;
    // The rest is copied as 8-byte words with relaxed atomics (see below).
    uint64_t timestamp_ns;
    uint32_t pid, tid, cpu, length;
    char message[kMessageSize];
};
static_assert(sizeof(Record) == kRecordSize);
constexpr size_t kPayloadWords = (kRecordSize - 8) / 8;

constexpr size_t kFileSize = sizeof(Header) + static_cast<size_t>(kRecordCount) * kRecordSize;

uint64_t monotonic_ns() {
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC, &now);
    return static_cast<uint64_t>(now.tv_sec) * 1'000'000'000ull + static_cast<uint64_t>(now.tv_nsec);
}

// Opens (creating and initialising when new) and maps the buffer. Creation
// is serialised between processes with flock.
Header* map_trace_buffer(const std::string& path) {
    int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) throw Error(path + ": cannot open trace buffer: " + std::strerror(errno));
    flock(fd, LOCK_EX);
    struct stat info{};
    bool fresh = fstat(fd, &info) == 0 && info.st_size == 0;
    if (fresh && ftruncate(fd, kFileSize) != 0) {
        int saved = errno;
        flock(fd, LOCK_UN);
        close(fd);
        throw Error(path + ": cannot size trace buffer: " + std::strerror(saved));
    }
    if (!fresh && info.st_size != static_cast<off_t>(kFileSize)) {
        flock(fd, LOCK_UN);
        close(fd);
        throw Error(path + ": not a trace buffer of this version (size " + std::to_string(info.st_size) +
                    "); remove it to start a new one");
    }
    void* memory = mmap(nullptr, kFileSize, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    int saved = errno;
    if (memory == MAP_FAILED) {
        flock(fd, LOCK_UN);
        close(fd);
        throw Error(path + ": cannot map trace buffer: " + std::strerror(saved));
    }
    auto* header = static_cast<Header*>(memory);
    if (fresh) {
        header->version = kVersion;
        header->record_count = kRecordCount;
        header->record_size = kRecordSize;
        __atomic_store_n(&header->magic, kMagic, __ATOMIC_RELEASE);
    }
    flock(fd, LOCK_UN);
    close(fd);
    if (__atomic_load_n(&header->magic, __ATOMIC_ACQUIRE) != kMagic || header->version != kVersion ||
        header->record_count != kRecordCount || header->record_size != kRecordSize) {
        munmap(memory, kFileSize);
        throw Error(path + ": not a trace buffer of this version; remove it to start a new one");
    }
    return header;
}

Record& record_at(Header* header, uint64_t sequence) {
    auto* records = reinterpret_cast<Record*>(header + 1);
    return records[sequence % kRecordCount];
}

uint64_t* payload_words(Record& record) { return reinterpret_cast<uint64_t*>(&record) + 1; }

// The writer side: one mapping per process, made at the first bpf_printk.
struct TraceWriter {
    Header* header = nullptr;
    std::atomic<uint64_t> unavailable_drops{0};  // no buffer could be mapped
    TraceWriter() {
        try {
            header = map_trace_buffer(trace_buffer_path());
        } catch (const Error&) {
            header = nullptr;  // tracing is best effort: a program never fails because of it
        }
    }
};

TraceWriter& writer() {
    static TraceWriter instance;
    return instance;
}

}  // namespace

std::string trace_buffer_path() {
    if (const char* path = std::getenv("EBPF_TRACE_PATH"); path && *path) return path;
    return "/dev/shm/ebpf-trace-" + std::to_string(getuid());
}

void trace_write(std::string_view message) {
    TraceWriter& w = writer();
    Header* header = w.header;
    if (!header) {
        w.unavailable_drops.fetch_add(1, std::memory_order_relaxed);
        return;
    }
    uint64_t sequence = header->next_sequence.fetch_add(1);
    Record& record = record_at(header, sequence);
    uint64_t state = record.state.load(std::memory_order_acquire);
    uint64_t writing = 2 * sequence + 1;
    // Busy (odd) records are skipped unless their writer is a whole lap
    // behind, i.e. it died while writing.
    bool busy = (state & 1) && (state - 1) / 2 + kRecordCount > sequence;
    if (busy || state >= writing || !record.state.compare_exchange_strong(state, writing, std::memory_order_acquire)) {
        header->writer_drops.fetch_add(1, std::memory_order_relaxed);
        return;
    }
    Record local{};
    local.timestamp_ns = monotonic_ns();
    local.pid = static_cast<uint32_t>(getpid());
    local.tid = static_cast<uint32_t>(syscall(SYS_gettid));
    local.cpu = current_cpu();
    local.length = static_cast<uint32_t>(std::min<size_t>(message.size(), kMessageSize));
    std::memcpy(local.message, message.data(), local.length);
    uint64_t* source = payload_words(local);
    uint64_t* target = payload_words(record);
    for (size_t i = 0; i < kPayloadWords; ++i) __atomic_store_n(target + i, source[i], __ATOMIC_RELAXED);
    record.state.store(writing + 1, std::memory_order_release);
}

struct TraceReader::Mapping {
    Header* header = nullptr;
    std::chrono::steady_clock::time_point stuck_since{};
    bool stuck = false;
    ~Mapping() {
        if (header) munmap(header, kFileSize);
    }
};

TraceReader::TraceReader(const std::string& path, bool start_at_end) : mapping_(std::make_unique<Mapping>()) {
    mapping_->header = map_trace_buffer(path);
    uint64_t head = mapping_->header->next_sequence.load();
    next_ = start_at_end ? head : (head > kRecordCount ? head - kRecordCount : 0);
    // Starting at the oldest record still present: every record before it
    // was overwritten when the ring wrapped, and is lost to this reader too.
    lost_ = start_at_end ? 0 : next_;
}

TraceReader::~TraceReader() = default;

uint64_t TraceReader::writer_drops() const { return mapping_->header->writer_drops.load(std::memory_order_relaxed); }

std::vector<TraceRecord> TraceReader::poll() {
    Header* header = mapping_->header;
    std::vector<TraceRecord> records;
    uint64_t head = header->next_sequence.load(std::memory_order_acquire);
    if (head - next_ > kRecordCount) {  // the writers lapped us
        lost_ += head - kRecordCount - next_;
        next_ = head - kRecordCount;
    }
    while (next_ < head) {
        Record& record = record_at(header, next_);
        uint64_t committed = 2 * next_ + 2;
        uint64_t before = record.state.load(std::memory_order_acquire);
        if (before < committed) {
            // Not written yet, or its writer dropped it. Wait a little for a
            // slow writer, then give the record up as lost.
            auto now = std::chrono::steady_clock::now();
            if (!mapping_->stuck) {
                mapping_->stuck = true;
                mapping_->stuck_since = now;
                break;
            }
            if (now - mapping_->stuck_since < std::chrono::milliseconds(200)) break;
            mapping_->stuck = false;
            ++lost_;
            ++next_;
            continue;
        }
        mapping_->stuck = false;
        if (before > committed) {  // overwritten by a later lap
            ++lost_;
            ++next_;
            continue;
        }
        Record copy{};
        uint64_t* target = payload_words(copy);
        uint64_t* source = payload_words(record);
        // Acquire loads keep the state check below after the copy (a seqlock
        // read without a fence, which ThreadSanitizer does not model).
        for (size_t i = 0; i < kPayloadWords; ++i) target[i] = __atomic_load_n(source + i, __ATOMIC_ACQUIRE);
        if (record.state.load(std::memory_order_relaxed) != before) {
            ++lost_;
            ++next_;
            continue;
        }
        TraceRecord out;
        out.sequence = next_;
        out.timestamp_ns = copy.timestamp_ns;
        out.pid = copy.pid;
        out.tid = copy.tid;
        out.cpu = copy.cpu;
        out.message.assign(copy.message, std::min<uint32_t>(copy.length, kMessageSize));
        records.push_back(std::move(out));
        ++next_;
    }
    return records;
}

}  // namespace ebpf
