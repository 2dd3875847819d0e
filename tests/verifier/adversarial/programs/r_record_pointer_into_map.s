# expect: reject
# class: ringbuf
# why: store the record pointer into a map value
# map: ringbuf 0 0 4096
# map: array 4 8 1
*(u32 *)(r10 - 4) = 0
r1 = map_by_idx(0)
r2 = 8
r3 = 0
call 131
if r0 == 0 goto out
r6 = r0
r1 = map_by_idx(1)
r2 = r10
r2 += -4
call 1
if r0 == 0 goto drop
*(u64 *)(r0 + 0) = r6
drop:
r1 = r6
r2 = 0
call 133
out:
r0 = 0
exit
