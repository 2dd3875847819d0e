# expect: reject
# class: atomics
# why: atomic fetch_add on an uninitialised stack slot returns host garbage
r1 = 1
r1 = atomic_fetch_add((u64 *)(r10 - 8), r1)
r0 = r1
exit
