# expect: accept
# class: atomics
# why: an atomic add into a reserved ring buffer record
# map: ringbuf 0 0 4096
# run: empty -> 1
r1 = map_by_idx(0)
r2 = 8
r3 = 0
call 131
if r0 == 0 goto out
*(u64 *)(r0 + 0) = 0
r1 = 3
lock *(u64 *)(r0 + 0) += r1
r1 = r0
r2 = 0
call 132
r0 = 1
exit
out:
r0 = 0
exit
