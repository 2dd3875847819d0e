// BPF_MAP_TYPE_RINGBUF with the Linux record layout: an 8-byte header
// {u32 len | BUSY (bit 31) | DISCARD (bit 30); u32 offset} before each record,
// records rounded up to 8 bytes, a producer and a consumer position that only
// grow. The data area is mapped twice back to back (a memfd), so a record that
// crosses the end is still contiguous, as in the kernel. Producers reserve
// under a short lock; submit/discard clear BUSY with a release store; the host
// consumer (one at a time) reads records in order and stops at a busy one.
#include <sys/mman.h>
#include <unistd.h>

#include <cstring>

#include "ebpf/error.hpp"
#include "map_types.hpp"

namespace ebpf::runtime_detail {
namespace {

constexpr uint32_t kBusyBit = 1u << 31;
constexpr uint32_t kDiscardBit = 1u << 30;
constexpr uint32_t kHeaderSize = 8;
// bpf_ringbuf_query flags (Linux BPF_RB_*).
constexpr uint64_t kAvailData = 0, kRingSize = 1, kConsPos = 2, kProdPos = 3;

class RingBuffer final : public RingBufMap {
public:
    explicit RingBuffer(const MapDefinition& definition) : RingBufMap(definition), size_(definition.max_entries) {
        int fd = memfd_create("ebpf-ringbuf", MFD_CLOEXEC);
        if (fd < 0) fail(std::string("memfd_create: ") + std::strerror(errno));
        if (ftruncate(fd, size_) != 0) {
            close(fd);
            fail(std::string("ftruncate: ") + std::strerror(errno));
        }
        void* area = mmap(nullptr, 2 * size_, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        bool ok = area != MAP_FAILED;
        if (ok) {
            auto* base = static_cast<uint8_t*>(area);
            ok = mmap(base, size_, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, 0) != MAP_FAILED &&
                 mmap(base + size_, size_, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, 0) != MAP_FAILED;
            data_ = base;
        }
        close(fd);
        if (!ok) {
            if (area != MAP_FAILED) munmap(area, 2 * size_);
            fail(std::string("cannot map the ring buffer: ") + std::strerror(errno));
        }
    }
    ~RingBuffer() override { munmap(data_, 2 * size_); }

    void* reserve(uint64_t size, uint64_t flags) override {
        if (flags != 0 || size == 0 || size > size_ - kHeaderSize || size >= kDiscardBit) return nullptr;
        uint64_t total = round8(static_cast<uint32_t>(size) + kHeaderSize);
        std::lock_guard lock(producer_mutex_);
        uint64_t consumer = consumer_pos_.load(std::memory_order_acquire);
        uint64_t producer = producer_pos_.load(std::memory_order_relaxed);
        if (producer + total - consumer > size_) return nullptr;  // full
        uint8_t* header = data_ + (producer & (size_ - 1));
        __atomic_store_n(reinterpret_cast<uint32_t*>(header), static_cast<uint32_t>(size) | kBusyBit, __ATOMIC_RELAXED);
        __atomic_store_n(reinterpret_cast<uint32_t*>(header + 4), static_cast<uint32_t>(producer & (size_ - 1)), __ATOMIC_RELAXED);
        producer_pos_.store(producer + total, std::memory_order_release);
        return header + kHeaderSize;
    }

    void submit(void* record, uint64_t) override { ringbuf_commit(record, false); }
    void discard(void* record, uint64_t) override { ringbuf_commit(record, true); }

    int64_t output(const void* data, uint64_t size, uint64_t flags) override {
        if (flags & ~3ull) return -EINVAL;  // BPF_RB_NO_WAKEUP / BPF_RB_FORCE_WAKEUP only
        void* record = reserve(size, 0);
        if (!record) return -EAGAIN;
        std::memcpy(record, data, size);
        ringbuf_commit(record, false);
        return 0;
    }

    uint64_t query(uint64_t flags) override {
        uint64_t producer = producer_pos_.load(std::memory_order_acquire);
        uint64_t consumer = consumer_pos_.load(std::memory_order_acquire);
        switch (flags) {
        case kAvailData: return producer - consumer;
        case kRingSize: return size_;
        case kConsPos: return consumer;
        case kProdPos: return producer;
        default: return 0;
        }
    }

    size_t consume(const std::function<bool(std::span<const uint8_t>)>& on_record) override {
        std::lock_guard lock(consumer_mutex_);
        uint64_t consumer = consumer_pos_.load(std::memory_order_relaxed);
        size_t consumed = 0;
        while (consumer < producer_pos_.load(std::memory_order_acquire)) {
            uint8_t* header = data_ + (consumer & (size_ - 1));
            uint32_t len = __atomic_load_n(reinterpret_cast<uint32_t*>(header), __ATOMIC_ACQUIRE);
            if (len & kBusyBit) break;  // not submitted yet: records are consumed in order
            uint32_t payload = len & ~(kBusyBit | kDiscardBit);
            bool more = true;
            if (!(len & kDiscardBit)) {
                more = on_record({header + kHeaderSize, payload});
                ++consumed;
            }
            consumer += round8(payload + kHeaderSize);
            consumer_pos_.store(consumer, std::memory_order_release);
            if (!more) break;
        }
        return consumed;
    }

    int64_t host_lookup(const void*, void*) const override { return -EINVAL; }
    int64_t update_from_host(const void*, const void*, uint64_t) override { return -EINVAL; }
    int64_t delete_from_host(const void*) override { return -EINVAL; }
    int64_t host_get_next_key(const void*, void*) const override { return -EINVAL; }

private:
    uint32_t size_;
    uint8_t* data_ = nullptr;
    std::mutex producer_mutex_;
    std::mutex consumer_mutex_;
    std::atomic<uint64_t> producer_pos_{0};
    std::atomic<uint64_t> consumer_pos_{0};
};

}  // namespace

void ringbuf_commit(void* record, bool discarded) {
    auto* header = reinterpret_cast<uint32_t*>(static_cast<uint8_t*>(record) - kHeaderSize);
    uint32_t len = __atomic_load_n(header, __ATOMIC_RELAXED) & ~kBusyBit;
    if (discarded) len |= kDiscardBit;
    __atomic_store_n(header, len, __ATOMIC_RELEASE);
}

std::shared_ptr<Map> make_ringbuf_map(const MapDefinition& definition) {
    const std::string where = "map '" + definition.name + "': ";
    uint32_t size = definition.max_entries;
    auto page = static_cast<uint32_t>(sysconf(_SC_PAGESIZE));
    if (definition.key_size != 0 || definition.value_size != 0)
        throw Error(where + "ring buffers have no key or value size (both must be 0)");
    if (size == 0 || (size & (size - 1)) != 0 || size % page != 0)
        throw Error(where + "ring buffer size (max_entries) must be a power of 2 and a multiple of the page size (" +
                    std::to_string(page) + "), got " + std::to_string(size));
    return std::make_shared<RingBuffer>(definition);
}

}  // namespace ebpf::runtime_detail
