# expect: accept
# class: 6
# why: push 7, peek it back: the normal case
# map: queue 0 8 4
# run: empty -> 7
*(u64 *)(r10 - 8) = 7
r1 = map_by_idx(0)
r2 = r10
r2 += -8
r3 = 0
call 87
r1 = map_by_idx(0)
r2 = r10
r2 += -16
call 89
r0 = *(u64 *)(r10 - 16)
exit
