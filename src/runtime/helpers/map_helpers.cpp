// bpf_map_lookup_elem / update / delete and the queue/stack helpers
// push / pop / peek: thin calls into the map's program API.
#include "../maps/map_types.hpp"
#include "helper_registry.hpp"

namespace ebpf::runtime_detail {
namespace {

uint64_t map_lookup_elem(uint64_t map, uint64_t key, uint64_t, uint64_t, uint64_t) {
    return from_pointer(as_pointer<Map>(map)->lookup_elem(as_pointer<const void>(key)));
}
uint64_t map_update_elem(uint64_t map, uint64_t key, uint64_t value, uint64_t flags, uint64_t) {
    return from_errno(as_pointer<Map>(map)->update_elem(as_pointer<const void>(key), as_pointer<const void>(value), flags));
}
uint64_t map_delete_elem(uint64_t map, uint64_t key, uint64_t, uint64_t, uint64_t) {
    return from_errno(as_pointer<Map>(map)->delete_elem(as_pointer<const void>(key)));
}
uint64_t map_push_elem(uint64_t map, uint64_t value, uint64_t flags, uint64_t, uint64_t) {
    return from_errno(as_pointer<Map>(map)->push_elem(as_pointer<const void>(value), flags));
}
uint64_t map_pop_elem(uint64_t map, uint64_t value, uint64_t, uint64_t, uint64_t) {
    return from_errno(as_pointer<Map>(map)->pop_elem(as_pointer<void>(value)));
}
uint64_t map_peek_elem(uint64_t map, uint64_t value, uint64_t, uint64_t, uint64_t) {
    return from_errno(as_pointer<Map>(map)->peek_elem(as_pointer<void>(value)));
}

}  // namespace

void register_map_helpers(HelperTable& table) {
    table.set(helper_id::map_lookup_elem, map_lookup_elem);
    table.set(helper_id::map_update_elem, map_update_elem);
    table.set(helper_id::map_delete_elem, map_delete_elem);
    table.set(helper_id::map_push_elem, map_push_elem);
    table.set(helper_id::map_pop_elem, map_pop_elem);
    table.set(helper_id::map_peek_elem, map_peek_elem);
}

}  // namespace ebpf::runtime_detail
