# expect: reject
# class: 5
# why: store the frame pointer into a ring buffer record
# map: ringbuf 0 0 4096
r1 = map_by_idx(0)
r2 = 8
r3 = 0
call 131
if r0 == 0 goto out
*(u64 *)(r0 + 0) = r10
r1 = r0
r2 = 0
call 132
out:
r0 = 0
exit
