# expect: reject
# class: helper
# why: bpf_ringbuf_output with a size from the input
# map: ringbuf 0 0 4096
r6 = r1
r0 = 0
if r2 < 8 goto out
r3 = *(u64 *)(r6 + 0)
r2 = r6
r1 = map_by_idx(0)
r4 = 0
call 130
out:
exit
