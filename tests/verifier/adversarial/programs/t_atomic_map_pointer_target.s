# expect: reject
# class: atomics
# why: an atomic add whose target is the map pointer itself
# map: array 4 8 1
r1 = map_by_idx(0)
r2 = 1
lock *(u64 *)(r1 + 0) += r2
r0 = 0
exit
