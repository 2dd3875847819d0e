// BPF_MAP_TYPE_ARRAY_OF_MAPS and HASH_OF_MAPS: values are maps. Programs get
// the inner map itself from a lookup (and pass it to map helpers); the host
// reads and writes inner map ids (as the kernel's map fds). An inner map must
// match the outer map's inner template as Linux's bpf_map_meta_equal: type,
// key and value size, map flags (a writable template must not hand programs
// a read-only map), and max_entries for arrays unless the template has
// BPF_F_INNER_MAP. Prog arrays cannot be inner maps (as Linux: their owner
// program type is fixed by the programs that use them directly). The slots
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
    int64_t update_from_host(const void* key, const void* host_value, uint64_t flags) override {
        if (!valid_update_flags(flags)) return -EINVAL;
        uint32_t id;
        std::memcpy(&id, host_value, 4);
        std::shared_ptr<Map> inner = find_map_by_id(id);
        if (!inner) return -ENOENT;
        if (std::string why = mismatch(*inner); !why.empty()) fail("update: " + why);
        return store(key, std::move(inner), flags, false);
    }
    int64_t delete_from_host(const void* key) override { return store(key, nullptr, kUpdateExist, true); }
    int64_t host_get_next_key(const void* key, void* next_key) const override {
        return slots_->host_get_next_key(key, next_key);
    }

    void set_inner(const void* key, std::shared_ptr<Map> inner) override {
        if (std::string why = mismatch(*inner); !why.empty()) fail(why);
        int64_t result = store(key, std::move(inner), kUpdateAny, false);
        if (result < 0) fail("cannot store inner map: error " + std::to_string(result));
    }

private:
    // Why `inner` may not be stored here ("" when it may).
    std::string mismatch(const Map& inner) const {
        const std::string what = "inner map '" + inner.name() + "' does not match the inner map definition: ";
        auto differs = [&](const char* field, uint64_t got, uint64_t want) {
            return what + field + " is " + std::to_string(got) + ", the definition says " + std::to_string(want);
        };
        if (inner.type() != inner_.type)
            return what + "type is " + std::string(map_type_name(inner.type())) + ", the definition says " +
                   std::string(map_type_name(inner_.type));
        if (inner.key_size() != inner_.key_size) return differs("key size", inner.key_size(), inner_.key_size);
        if (inner.value_size() != inner_.value_size) return differs("value size", inner.value_size(), inner_.value_size);
        if (inner.flags() != inner_.map_flags) return differs("map_flags", inner.flags(), inner_.map_flags);
        const bool array = inner.type() == MapType::array || inner.type() == MapType::percpu_array;
        if (array && !(inner_.map_flags & kMapFlagInnerMap) && inner.max_entries() != inner_.max_entries)
            return differs("max_entries", inner.max_entries(), inner_.max_entries) +
                   " (BPF_F_INNER_MAP in the definition allows any)";
        // Programs were verified against the definition: a map whose contents
        // the verifier may have folded, or that programs may not write, only
        // goes where the definition is read-only for programs too.
        if (inner.frozen() && !(inner_.map_flags & kMapFlagRdonlyProg))
            return what + "it is frozen (read-only data), but programs may write the maps of this definition";
        return {};
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
    if (inner.type == MapType::prog_array)
        throw Error(where + "a prog_array cannot be an inner map (as Linux: tail calls need a prog array the "
                            "program names directly, whose owner program type is known)");
    auto map = std::make_shared<OuterMap>(definition, inner);
    register_map(map);
    return map;
}

}  // namespace ebpf::runtime_detail
