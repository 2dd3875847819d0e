# expect: reject
# class: ringbuf
# why: write into a record after submitting it
# map: ringbuf 0 0 4096
r1 = map_by_idx(0)
r2 = 8
r3 = 0
call 131
if r0 == 0 goto out
r6 = r0
r1 = r6
r2 = 0
call 132
*(u64 *)(r6 + 0) = 1
out:
r0 = 0
exit
