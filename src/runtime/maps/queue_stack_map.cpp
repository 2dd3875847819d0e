// BPF_MAP_TYPE_QUEUE (FIFO) and BPF_MAP_TYPE_STACK (LIFO): no keys, values
// pushed, popped and peeked. Like Linux they serialise every operation on one
// short lock (peek included: it copies the value out). Pushing into a full map
// fails with -E2BIG unless flags is BPF_EXIST, which drops the oldest value.
#include "ebpf/error.hpp"
#include "map_types.hpp"

namespace ebpf::runtime_detail {
namespace {

class QueueStackMap final : public Map {
public:
    explicit QueueStackMap(const MapDefinition& definition)
        : Map(definition), stack_(definition.type == MapType::stack),
          stride_(round8(definition.value_size)),
          storage_(static_cast<size_t>(definition.max_entries) * stride_ / 8) {}

    int64_t push_elem(const void* value, uint64_t flags) override {
        if (flags != kUpdateAny && flags != kUpdateExist) return -EINVAL;
        std::lock_guard lock(mutex_);
        if (size_ == max_entries()) {
            if (flags != kUpdateExist) return -E2BIG;
            head_ = (head_ + 1) % max_entries();  // drop the oldest
            --size_;
        }
        std::memcpy(slot((head_ + size_) % max_entries()), value, value_size());
        ++size_;
        return 0;
    }

    int64_t pop_elem(void* value) override { return take(value, true); }
    int64_t peek_elem(void* value) override { return take(value, false); }

    // Linux: lookup without a key is peek; update is push; no delete.
    int64_t host_lookup(const void*, void* value) const override {
        return const_cast<QueueStackMap*>(this)->take(value, false);
    }
    int64_t update_from_host(const void*, const void* value, uint64_t flags) override { return push_elem(value, flags); }
    int64_t delete_from_host(const void*) override { return -EINVAL; }
    int64_t host_get_next_key(const void*, void*) const override { return -EINVAL; }

private:
    int64_t take(void* value, bool remove) {
        std::lock_guard lock(mutex_);
        if (size_ == 0) {
            // The verifier counts the buffer as written either way (as Linux, which zeroes it too).
            std::memset(value, 0, value_size());
            return -ENOENT;
        }
        // Queue: the oldest, at head_; stack: the newest, at head_ + size_ - 1.
        uint32_t index = stack_ ? (head_ + size_ - 1) % max_entries() : head_;
        std::memcpy(value, slot(index), value_size());
        if (remove) {
            if (!stack_) head_ = (head_ + 1) % max_entries();
            --size_;
        }
        return 0;
    }
    uint8_t* slot(uint32_t index) { return reinterpret_cast<uint8_t*>(storage_.data()) + static_cast<size_t>(index) * stride_; }

    bool stack_;
    uint32_t stride_;
    std::mutex mutex_;
    std::vector<uint64_t> storage_;
    uint32_t head_ = 0;
    uint32_t size_ = 0;
};

}  // namespace

std::shared_ptr<Map> make_queue_stack_map(const MapDefinition& definition) {
    const std::string where = "map '" + definition.name + "': ";
    if (definition.key_size != 0) throw Error(where + "queue/stack maps have no key (key size must be 0)");
    if (definition.value_size == 0) throw Error(where + "value size must not be 0");
    if (definition.max_entries == 0) throw Error(where + "max_entries must not be 0");
    return std::make_shared<QueueStackMap>(definition);
}

}  // namespace ebpf::runtime_detail
