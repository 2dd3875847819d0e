# expect: accept
# class: 6
# why: pop from an empty queue returns -ENOENT and zeroes the value
# map: queue 0 8 4
# run: empty -> -2
r1 = map_by_idx(0)
r2 = r10
r2 += -8
call 88
r6 = r0
r0 = *(u64 *)(r10 - 8)
r0 += r6
exit
