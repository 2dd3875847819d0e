# expect: accept
# class: 6
# why: read a freshly reserved ring buffer record before writing it and return it: must be defined, same in every engine
# map: ringbuf 0 0 4096
# run: empty
r1 = map_by_idx(0)
r2 = 8
r3 = 0
call 131
if r0 == 0 goto out
r6 = *(u64 *)(r0 + 0)
r1 = r0
r2 = 0
call 133
r0 = r6
exit
out:
r0 = 0
exit
