# expect: reject unreleased reference
# class: ringbuf
# why: a reserved record never submitted
# map: ringbuf 0 0 4096
r1 = map_by_idx(0)
r2 = 8
r3 = 0
call 131
if r0 == 0 goto out
r0 = 0
exit
out:
r0 = 0
exit
