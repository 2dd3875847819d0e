// An object's maps from its definitions: inner-map templates become no map
// (programs cannot reference them), map-in-map `.values` are filled in once
// every map exists, then read-only maps are frozen. Prog-array `.values` need
// the programs: load_object fills them.
#include "ebpf/error.hpp"
#include "ebpf/pinning.hpp"
#include "map_types.hpp"

namespace ebpf {

using namespace runtime_detail;

std::vector<std::shared_ptr<Map>> create_maps(std::span<const MapDefinition> definitions,
                                              const ResourceLimits& limits, const MapSharing& sharing) {
    // All of them before the first allocation: a map over the limit must not
    // be discovered after gigabytes went to the ones before it.
    check_map_limits(definitions, limits, possible_cpus());
    std::vector<std::shared_ptr<Map>> maps(definitions.size());
    for (size_t i = 0; i < definitions.size(); ++i) {
        const MapDefinition& definition = definitions[i];
        if (definition.inner_template) continue;
        // A Linux map type the runtime cannot provide: no map; the programs
        // that name it are refused when they load (unprovided_map_error).
        if (!map_type_provided(definition.type)) continue;
        if (definition.type == MapType::array_of_maps || definition.type == MapType::hash_of_maps) {
            if (!definition.inner_map || *definition.inner_map >= definitions.size())
                throw Error("map '" + definition.name + "': a map of maps needs an inner map definition");
            maps[i] = make_map_of_maps(definition, definitions[*definition.inner_map]);
        } else if (definition.pinning == kPinByName) {
            // As libbpf: pinned at <root>/<name>, or the pinned map reused.
            if (!map_type_can_pin(definition.type))
                throw Error("map '" + definition.name + "': LIBBPF_PIN_BY_NAME: map type '" +
                            std::string(map_type_name(definition.type)) +
                            "' cannot be pinned (pinned maps: array, percpu_array, hash, percpu_hash, lru_hash, "
                            "lru_percpu_hash)");
            maps[i] = reuse_or_create_pinned_map(definition, pin_root(sharing.pin_root), limits);
        } else if (sharing.share_all && map_type_can_pin(definition.type) && !definition.is_global_data &&
                   !read_only_for_programs(definition)) {
            // Global data and read-only maps stay private: the verifier
            // relies on their contents, which another process must not change.
            maps[i] = create_shared_map(definition, pin_root(sharing.pin_root), limits);
        } else {
            maps[i] = create_map(definition, limits);
        }
    }
    for (size_t i = 0; i < definitions.size(); ++i) {
        auto* outer = dynamic_cast<MapOfMaps*>(maps[i].get());
        if (!outer) continue;
        for (const MapSlotInit& slot : definitions[i].initial_slots) {
            std::shared_ptr<Map> inner;
            for (size_t j = 0; j < definitions.size(); ++j) {
                if (definitions[j].name == slot.target && maps[j]) inner = maps[j];
            }
            if (!inner)
                throw Error("map '" + definitions[i].name + "': initial value " + std::to_string(slot.key) +
                            " names map '" + slot.target + "', which the object does not define");
            outer->set_inner(&slot.key, std::move(inner));
        }
    }
    // Initial contents are in place: maps programs may only read are frozen
    // now (libbpf freezes .rodata the same way), so the verifier's view of
    // them (e.g. constants folded from .rodata) stays true. Static prog-array
    // slots are the loader's own initialisation (set_program), not host writes.
    for (size_t i = 0; i < definitions.size(); ++i) {
        if (maps[i] && read_only_for_programs(definitions[i])) maps[i]->freeze();
    }
    return maps;
}

}  // namespace ebpf
