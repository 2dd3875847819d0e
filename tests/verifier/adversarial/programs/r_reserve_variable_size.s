# expect: reject
# class: ringbuf
# why: reserve a size read from the input
# map: ringbuf 0 0 4096
r0 = 0
if r2 < 8 goto out
r2 = *(u64 *)(r1 + 0)
r1 = map_by_idx(0)
r3 = 0
call 131
if r0 == 0 goto out
r1 = r0
r2 = 0
call 133
out:
r0 = 0
exit
