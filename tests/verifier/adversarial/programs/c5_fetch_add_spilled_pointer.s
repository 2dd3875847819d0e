# expect: reject
# class: 5
# why: atomic fetch_add on a spilled pointer
*(u64 *)(r10 - 8) = r10
r2 = 0
r2 = atomic_fetch_add((u64 *)(r10 - 8), r2)
r0 = r2
exit
