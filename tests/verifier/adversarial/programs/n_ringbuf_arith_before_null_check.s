# expect: reject
# class: nullable
# why: arithmetic on a ring buffer record that may be NULL
# map: ringbuf 0 0 4096
r1 = map_by_idx(0)
r2 = 16
r3 = 0
call 131
r0 += 8
if r0 == 0 goto out
r1 = r0
r1 += -8
r2 = 0
call 133
out:
r0 = 0
exit
