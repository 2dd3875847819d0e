# expect: reject
# class: 5
# why: bpf_ringbuf_output copies a spilled pointer to the ring buffer
# map: ringbuf 0 0 4096
*(u64 *)(r10 - 8) = r10
r1 = map_by_idx(0)
r2 = r10
r2 += -8
r3 = 8
r4 = 0
call 130
r0 = 0
exit
