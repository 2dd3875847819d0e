// BPF_MAP_TYPE_PERF_EVENT_ARRAY in user mode: one bounded sample buffer per
// index (a CPU). Linux keeps perf event fds whose mmap'ed rings the reader
// polls; here the host opens a buffer at an index (update with a page count)
// and reads its records in order with perf_event_consume(). Records cost what
// they cost in a perf ring (an 8-byte header, a u32 size, the data, padded to
// 8 bytes), so a buffer of N pages holds what Linux's would; readers get the
// padded size, as from perf (zeros where Linux leaves the padding as it was). A sample that
// does not fit is lost and counted; the count reaches the reader in order, as
// PERF_RECORD_LOST.
#include <deque>

#include "ebpf/error.hpp"
#include "map_types.hpp"

namespace ebpf::runtime_detail {
namespace {

constexpr uint64_t kPageSize = 4096;
constexpr uint32_t kMaxPages = 1u << 16;  // 256 MiB per buffer at most
constexpr uint64_t kLostRecordBytes = 24;  // header + id + lost count

uint64_t sample_bytes(uint64_t size) { return 8 + ((4 + size + 7) & ~uint64_t{7}); }

struct SampleBuffer {
    uint32_t pages = 0;
    uint64_t capacity = 0;
    uint64_t used = 0;
    uint64_t lost_pending = 0;  // samples lost since the last record
    struct Record {
        std::vector<uint8_t> data;
        uint64_t lost = 0;  // a lost record when non-zero
    };
    std::deque<Record> records;
};

class PerfEventArray final : public PerfEventArrayMap {
public:
    PerfEventArray(const MapDefinition& definition, uint32_t slots)
        : PerfEventArrayMap(definition), slots_(slots), buffers_(slots) {}

    uint32_t slots() const override { return slots_; }

    int64_t output(uint32_t index, std::span<const uint8_t> head, std::span<const uint8_t> tail) override {
        if (index >= slots_) return -E2BIG;
        std::lock_guard lock(mutex_);
        auto& buffer = buffers_[index];
        if (!buffer) return -ENOENT;
        if (index != current_cpu()) return -EOPNOTSUPP;  // as Linux: event->oncpu != this CPU
        const uint64_t need = sample_bytes(head.size() + tail.size()) + (buffer->lost_pending ? kLostRecordBytes : 0);
        if (buffer->used + need > buffer->capacity) {
            ++buffer->lost_pending;
            return -ENOSPC;
        }
        if (buffer->lost_pending) {
            buffer->records.push_back({{}, buffer->lost_pending});
            buffer->used += kLostRecordBytes;
            buffer->lost_pending = 0;
        }
        SampleBuffer::Record record;
        // As perf's raw samples: the size with its u32 length field is a
        // multiple of 8, the padding zeroed (readers see the padded size).
        const size_t padded = ((head.size() + tail.size() + 4 + 7) & ~size_t{7}) - 4;
        record.data.reserve(padded);
        record.data.insert(record.data.end(), head.begin(), head.end());
        record.data.insert(record.data.end(), tail.begin(), tail.end());
        record.data.resize(padded, 0);
        buffer->used += sample_bytes(record.data.size());
        buffer->records.push_back(std::move(record));
        return 0;
    }

    void open(uint32_t index, uint32_t pages) override {
        if (index >= slots_)
            fail("index " + std::to_string(index) + " is outside the " + std::to_string(slots_) + " buffers");
        if (pages == 0 || (pages & (pages - 1)) != 0 || pages > kMaxPages)
            fail("a buffer is a power-of-two number of pages (1 to " + std::to_string(kMaxPages) + "), got " +
                 std::to_string(pages));
        auto buffer = std::make_unique<SampleBuffer>();
        buffer->pages = pages;
        buffer->capacity = pages * kPageSize;
        std::lock_guard lock(mutex_);
        buffers_[index] = std::move(buffer);
    }

    size_t consume(uint32_t index, const std::function<void(std::span<const uint8_t>)>& on_sample,
                   const std::function<void(uint64_t)>& on_lost) override {
        if (index >= slots_) fail("index " + std::to_string(index) + " is outside the " + std::to_string(slots_) + " buffers");
        std::deque<SampleBuffer::Record> records;
        uint64_t lost = 0;
        {
            std::lock_guard lock(mutex_);
            auto& buffer = buffers_[index];
            if (!buffer) return 0;
            records.swap(buffer->records);
            lost = buffer->lost_pending;  // the reader made room: Linux reports them now
            buffer->lost_pending = 0;
            buffer->used = 0;
        }
        size_t samples = 0;
        for (const auto& record : records) {
            if (record.lost) {
                if (on_lost) on_lost(record.lost);
                continue;
            }
            ++samples;
            on_sample(record.data);
        }
        if (lost && on_lost) on_lost(lost);
        return samples;
    }

    int64_t get_next_key(const void* key, void* next_key) override { return next_array_index(key, slots_, next_key); }
    int64_t host_lookup(const void* key, void* host_value) const override {
        const uint32_t index = read_index(key);
        std::lock_guard lock(mutex_);
        if (index >= slots_ || !buffers_[index]) return -ENOENT;
        std::memcpy(host_value, &buffers_[index]->pages, 4);
        return 0;
    }
    int64_t update_from_host(const void* key, const void* value, uint64_t flags) override {
        if (flags != kUpdateAny) return -EINVAL;  // as Linux's fd arrays
        const uint32_t index = read_index(key);
        uint32_t pages;
        std::memcpy(&pages, value, 4);
        if (index >= slots_) return -E2BIG;
        if (pages == 0 || (pages & (pages - 1)) != 0 || pages > kMaxPages) return -EINVAL;
        open(index, pages);
        return 0;
    }
    int64_t delete_from_host(const void* key) override {
        const uint32_t index = read_index(key);
        if (index >= slots_) return -E2BIG;
        std::lock_guard lock(mutex_);
        if (!buffers_[index]) return -ENOENT;
        buffers_[index].reset();
        return 0;
    }

private:
    static uint32_t read_index(const void* key) {
        uint32_t index;
        std::memcpy(&index, key, 4);
        return index;
    }
    uint32_t slots_;
    mutable std::mutex mutex_;
    std::vector<std::unique_ptr<SampleBuffer>> buffers_;
};

}  // namespace

std::shared_ptr<Map> make_perf_event_array(const MapDefinition& definition) {
    const std::string where = "map '" + definition.name + "': perf_event_array ";
    if (definition.key_size != 4 || definition.value_size != 4)
        throw Error(where + "key and value size must be 4, got " + std::to_string(definition.key_size) + " and " +
                    std::to_string(definition.value_size));
    if (definition.map_flags & ~(kMapFlagNumaNode | kMapFlagRdonly | kMapFlagWronly | kMapFlagPreserveElems))
        throw Error(where + "does not take map_flags " + std::to_string(definition.map_flags) + " (EINVAL, as Linux)");
    // max_entries 0: one buffer per possible CPU, as libbpf sets it.
    const uint32_t slots = definition.max_entries ? definition.max_entries : possible_cpus();
    return std::make_shared<PerfEventArray>(definition, slots);
}

}  // namespace ebpf::runtime_detail

namespace ebpf {

using namespace runtime_detail;

namespace {
PerfEventArrayMap& perf_map(Map& map) {
    auto* perf = dynamic_cast<PerfEventArrayMap*>(&map);
    if (!perf)
        throw Error("map '" + map.name() + "': not a perf_event_array (type " + std::string(map_type_name(map.type())) + ")");
    return *perf;
}
}  // namespace

void perf_event_open_buffer(Map& map, uint32_t index, uint32_t pages) { perf_map(map).open(index, pages); }

size_t perf_event_consume(Map& map, uint32_t index, const std::function<void(std::span<const uint8_t>)>& on_sample,
                          const std::function<void(uint64_t)>& on_lost) {
    return perf_map(map).consume(index, on_sample, on_lost);
}

uint32_t perf_event_slots(const Map& map) { return perf_map(const_cast<Map&>(map)).slots(); }

}  // namespace ebpf
