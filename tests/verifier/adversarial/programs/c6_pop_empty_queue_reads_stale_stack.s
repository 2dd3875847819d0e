# expect: accept
# class: 6
# why: a subprogram leaves 0x41 bytes on the stack; another pops from an empty queue into the same (uninitialised) slot and returns it: must be zero as in Linux
# map: queue 0 8 4
# run: empty -> 0
call dirty
call victim
exit
victim:
r1 = map_by_idx(0)
r2 = r10
r2 += -8
call 88
r0 = *(u64 *)(r10 - 8)
exit

dirty:
r1 = 0x4141414141414141 ll
*(u64 *)(r10 - 8) = r1
*(u64 *)(r10 - 16) = r1
*(u64 *)(r10 - 24) = r1
*(u64 *)(r10 - 32) = r1
r0 = 0
exit
