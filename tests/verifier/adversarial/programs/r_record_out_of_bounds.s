# expect: reject
# class: ringbuf
# why: write at offset 8 of an 8-byte record
# map: ringbuf 0 0 4096
r1 = map_by_idx(0)
r2 = 8
r3 = 0
call 131
if r0 == 0 goto out
*(u64 *)(r0 + 8) = 1
r1 = r0
r2 = 0
call 132
out:
r0 = 0
exit
