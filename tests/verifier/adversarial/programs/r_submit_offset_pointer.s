# expect: reject
# class: ringbuf
# why: submit record + 8
# map: ringbuf 0 0 4096
r1 = map_by_idx(0)
r2 = 16
r3 = 0
call 131
if r0 == 0 goto out
r0 += 8
r1 = r0
r2 = 0
call 132
out:
r0 = 0
exit
