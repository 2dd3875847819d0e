# expect: reject
# class: 7
# why: direct value access on a ring buffer
# map: ringbuf 0 0 4096
r1 = map_value_by_idx(0)+0
r0 = *(u32 *)(r1 + 0)
exit
