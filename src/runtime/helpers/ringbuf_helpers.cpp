// bpf_ringbuf_output / reserve / submit / discard / query. The verifier makes
// sure the map argument is a ring buffer and that submit/discard get a record
// from reserve; a record's header says all submit/discard need, so they
// do not take the map.
#include "../maps/map_types.hpp"
#include "helper_registry.hpp"

namespace ebpf::runtime_detail {
namespace {

RingBufMap* ring(uint64_t map) { return dynamic_cast<RingBufMap*>(as_pointer<Map>(map)); }

uint64_t ringbuf_output(uint64_t map, uint64_t data, uint64_t size, uint64_t flags, uint64_t) {
    RingBufMap* r = ring(map);
    return r ? from_errno(r->output(as_pointer<const void>(data), size, flags)) : from_errno(-EINVAL);
}
uint64_t ringbuf_reserve(uint64_t map, uint64_t size, uint64_t flags, uint64_t, uint64_t) {
    RingBufMap* r = ring(map);
    return r ? from_pointer(r->reserve(size, flags)) : 0;
}
uint64_t ringbuf_submit(uint64_t record, uint64_t, uint64_t, uint64_t, uint64_t) {
    ringbuf_commit(as_pointer<void>(record), false);
    return 0;
}
uint64_t ringbuf_discard(uint64_t record, uint64_t, uint64_t, uint64_t, uint64_t) {
    ringbuf_commit(as_pointer<void>(record), true);
    return 0;
}
uint64_t ringbuf_query(uint64_t map, uint64_t flags, uint64_t, uint64_t, uint64_t) {
    RingBufMap* r = ring(map);
    return r ? r->query(flags) : 0;
}

}  // namespace

void register_ringbuf_helpers(HelperTable& table) {
    table.set(helper_id::ringbuf_output, ringbuf_output);
    table.set(helper_id::ringbuf_reserve, ringbuf_reserve);
    table.set(helper_id::ringbuf_submit, ringbuf_submit);
    table.set(helper_id::ringbuf_discard, ringbuf_discard);
    table.set(helper_id::ringbuf_query, ringbuf_query);
}

}  // namespace ebpf::runtime_detail
