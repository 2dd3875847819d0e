// BPF_MAP_TYPE_ARRAY_OF_MAPS and HASH_OF_MAPS: values are maps. Programs get
// the inner map itself from a lookup (and pass it to map helpers); the host
// reads and writes inner map ids (as the kernel's map fds). An inner map must
// match the outer map's inner template (type, key and value size). The slots
// are an ordinary array or hash map of 8-byte map addresses; the outer map
// keeps every inner map alive while it is stored and, once removed, until
// the runs that might still use it have finished.
#include <unordered_map>

#include "cpu_epoch.hpp"
#include "ebpf/error.hpp"
#include "map_types.hpp"

namespace ebpf::runtime_detail {
namespace {

class OuterMap final : public MapOfMaps {
public:
    OuterMap(const MapDefinition& definition, const MapDefinition& inner) : MapOfMaps(definition), inner_(inner) {
        MapDefinition slots = definition;
        slots.type = definition.type == MapType::array_of_maps ? MapType::array : MapType::hash;
        slots.value_size = 8;
        slots.initial_data.clear();
        slots_ = slots.type == MapType::array ? make_array_map(slots) : make_hash_map(slots);
    }
    ~OuterMap() override { retired_.drain(); }

    void* lookup_elem(const void* key) override {
        void* slot = slots_->lookup_elem(key);
        return slot ? reinterpret_cast<void*>(__atomic_load_n(static_cast<uint64_t*>(slot), __ATOMIC_ACQUIRE)) : nullptr;
    }
    // Programs cannot store maps (as Linux); they may delete.
    int64_t update_elem(const void*, const void*, uint64_t) override { return -EINVAL; }
    int64_t delete_elem(const void* key) override { return store(key, nullptr, kUpdateExist, true); }
    int64_t get_next_key(const void* key, void* next_key) override { return slots_->get_next_key(key, next_key); }

    int64_t host_lookup(const void* key, void* host_value) const override {
        CpuScope scope;
        auto* inner = static_cast<Map*>(const_cast<OuterMap*>(this)->lookup_elem(key));
        if (!inner) return -ENOENT;
        uint32_t id = inner->id();
        std::memcpy(host_value, &id, 4);
        return 0;
    }
    int64_t host_update(const void* key, const void* host_value, uint64_t flags) override {
        if (!valid_update_flags(flags)) return -EINVAL;
        uint32_t id;
        std::memcpy(&id, host_value, 4);
        std::shared_ptr<Map> inner = find_map_by_id(id);
        if (!inner) return -ENOENT;
        if (!compatible(*inner)) return -EINVAL;
        return store(key, std::move(inner), flags, false);
    }
    int64_t host_delete(const void* key) override { return store(key, nullptr, kUpdateExist, true); }
    int64_t host_get_next_key(const void* key, void* next_key) const override {
        return slots_->host_get_next_key(key, next_key);
    }

    void set_inner(const void* key, std::shared_ptr<Map> inner) override {
        if (!compatible(*inner))
            fail("inner map '" + inner->name() + "' does not match the inner map definition (type, key or value size)");
        int64_t result = store(key, std::move(inner), kUpdateAny, false);
        if (result < 0) fail("cannot store inner map: error " + std::to_string(result));
    }

private:
    bool compatible(const Map& inner) const {
        return inner.type() == inner_.type && inner.key_size() == inner_.key_size &&
               inner.value_size() == inner_.value_size && inner.type() != MapType::array_of_maps &&
               inner.type() != MapType::hash_of_maps;
    }

    int64_t store(const void* key, std::shared_ptr<Map> inner, uint64_t flags, bool remove) {
        // The CPU slot first: a program holding a slot may be waiting for mutex_.
        CpuScope scope;
        std::lock_guard lock(mutex_);
        Map* old = static_cast<Map*>(lookup_elem(key));
        if (remove) {
            if (!old) return -ENOENT;
            int64_t result = slots_->type() == MapType::array ? slots_->update_elem(key, &kNull, kUpdateAny)
                                                               : slots_->delete_elem(key);
            if (result < 0) return result;
        } else {
            if (flags == kUpdateNoExist && old) return -EEXIST;
            if (flags == kUpdateExist && !old) return -ENOENT;
            uint64_t address = reinterpret_cast<uint64_t>(inner.get());
            int64_t result = slots_->update_elem(key, &address, slots_->type() == MapType::array ? kUpdateAny : flags);
            if (result < 0) return result;
            ++owners_[inner.get()].second;
            owners_[inner.get()].first = std::move(inner);
        }
        if (old) release(old);
        return 0;
    }

    void release(Map* map) {
        auto it = owners_.find(map);
        if (it == owners_.end() || --it->second.second > 0) return;
        std::shared_ptr<Map> keep = std::move(it->second.first);
        owners_.erase(it);
        retired_.retire([keep]() mutable { keep.reset(); });
    }

    static constexpr uint64_t kNull = 0;
    MapDefinition inner_;
    std::shared_ptr<Map> slots_;
    std::mutex mutex_;
    std::unordered_map<Map*, std::pair<std::shared_ptr<Map>, size_t>> owners_;
    RetireList retired_;
};

}  // namespace

std::shared_ptr<Map> make_map_of_maps(const MapDefinition& definition, const MapDefinition& inner) {
    const std::string where = "map '" + definition.name + "': ";
    if (definition.type == MapType::array_of_maps && definition.key_size != 4)
        throw Error(where + "array of maps key size must be 4");
    if (definition.key_size == 0) throw Error(where + "key size must not be 0");
    if (definition.max_entries == 0) throw Error(where + "max_entries must not be 0");
    if (inner.type == MapType::array_of_maps || inner.type == MapType::hash_of_maps)
        throw Error(where + "inner maps cannot hold maps themselves");
    auto map = std::make_shared<OuterMap>(definition, inner);
    register_map(map);
    return map;
}

}  // namespace ebpf::runtime_detail
