# expect: accept
# class: helper
# why: bpf_ringbuf_reserve(8192) on a 4096-byte ring: NULL at run time
# map: ringbuf 0 0 4096
# run: empty -> 0
r1 = map_by_idx(0)
r2 = 8192
r3 = 0
call 131
if r0 == 0 goto out
r1 = r0
r2 = 0
call 133
r0 = 1
exit
out:
r0 = 0
exit
