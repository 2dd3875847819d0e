// BPF_MAP_TYPE_ARRAY and BPF_MAP_TYPE_PERCPU_ARRAY: preallocated, zeroed
// values indexed by a u32; every index below max_entries always exists
// (lookups within range are never NULL, deletes fail with -EINVAL). Values
// are plain memory: lookups never lock.
#include "ebpf/error.hpp"
#include "map_types.hpp"

namespace ebpf::runtime_detail {
namespace {

class ArrayMap final : public IterableMap {
public:
    explicit ArrayMap(const MapDefinition& definition)
        : IterableMap(definition),
          per_cpu_(definition.type == MapType::percpu_array),
          stride_(round8(definition.value_size)),
          cpus_(per_cpu_ ? possible_cpus() : 1),
          storage_(static_cast<size_t>(definition.max_entries) * stride_ * cpus_ / 8, 0) {
        if (!definition.initial_data.empty()) {
            if (per_cpu_ || definition.initial_data.size() > stride_ * static_cast<size_t>(definition.max_entries))
                fail("initial data does not fit the map");
            copy_to_map(storage_.data(), definition.initial_data.data(), definition.initial_data.size());
        }
    }

    void* lookup_elem(const void* key) override {
        uint32_t index = read_index(key);
        return index < max_entries() ? value_at(index, this_cpu()) : nullptr;
    }

    int64_t update_elem(const void* key, const void* value, uint64_t flags) override {
        if (!valid_update_flags(flags)) return -EINVAL;
        uint32_t index = read_index(key);
        if (index >= max_entries()) return -E2BIG;
        if (flags == kUpdateNoExist) return -EEXIST;  // every element exists
        copy_to_map(value_at(index, this_cpu()), value, value_size());
        return 0;
    }

    int64_t delete_elem(const void*) override { return -EINVAL; }

    int64_t get_next_key(const void* key, void* next_key) override {
        return next_array_index(key, max_entries(), next_key);
    }

    // As Linux: only a one-entry, non-per-CPU array has one value at a fixed address.
    void* direct_value(uint32_t index) override {
        return !per_cpu_ && max_entries() == 1 && index == 0 ? value_at(0, 0) : nullptr;
    }

    int64_t host_lookup(const void* key, void* host_value) const override {
        uint32_t index = read_index(key);
        if (index >= max_entries()) return -ENOENT;
        for (uint32_t cpu = 0; cpu < cpus_; ++cpu) {
            auto* out = static_cast<uint8_t*>(host_value) + static_cast<size_t>(cpu) * stride_;
            copy_from_map(out, value_at(index, cpu), per_cpu_ ? stride_ : value_size());
        }
        return 0;
    }

    int64_t update_from_host(const void* key, const void* host_value, uint64_t flags) override {
        if (!valid_update_flags(flags)) return -EINVAL;
        uint32_t index = read_index(key);
        if (index >= max_entries()) return -E2BIG;
        if (flags == kUpdateNoExist) return -EEXIST;
        for (uint32_t cpu = 0; cpu < cpus_; ++cpu) {
            auto* in = static_cast<const uint8_t*>(host_value) + static_cast<size_t>(cpu) * stride_;
            copy_to_map(value_at(index, cpu), in, value_size());
        }
        return 0;
    }

    int64_t for_each(const ElementVisitor& visit) override {
        uint32_t cpu = this_cpu();
        int64_t visited = 0;
        for (uint32_t index = 0; index < max_entries(); ++index) {
            ++visited;
            if (visit(&index, value_at(index, cpu))) break;
        }
        return visited;
    }

private:
    // The running program's slot of a per-CPU map; slot 0 otherwise.
    uint32_t this_cpu() const { return per_cpu_ ? current_cpu() : 0; }
    uint32_t read_index(const void* key) const {
        uint32_t index;
        std::memcpy(&index, key, 4);
        return index;
    }
    uint8_t* value_at(uint32_t index, uint32_t cpu) const {
        // Per-CPU: each index keeps its CPUs' values side by side.
        size_t offset = (static_cast<size_t>(index) * cpus_ + cpu) * stride_;
        return reinterpret_cast<uint8_t*>(const_cast<uint64_t*>(storage_.data())) + offset;
    }

    bool per_cpu_;
    uint32_t stride_;
    uint32_t cpus_;
    std::vector<uint64_t> storage_;
};

}  // namespace

std::shared_ptr<Map> make_array_map(const MapDefinition& definition) {
    if (definition.key_size != 4)
        throw Error("map '" + definition.name + "': array key size must be 4, got " + std::to_string(definition.key_size));
    if (definition.value_size == 0)
        throw Error("map '" + definition.name + "': value size must not be 0");
    if (definition.max_entries == 0) throw Error("map '" + definition.name + "': max_entries must not be 0");
    if (static_cast<uint64_t>(definition.max_entries) * round8(definition.value_size) > (1ull << 32))
        throw Error("map '" + definition.name + "': too large (max_entries × value_size > 4 GiB)");
    return std::make_shared<ArrayMap>(definition);
}

}  // namespace ebpf::runtime_detail
