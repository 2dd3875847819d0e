# expect: reject
# class: uninit
# why: bpf_ringbuf_output of 16 bytes of which 8 were written
# map: ringbuf 0 0 4096
*(u64 *)(r10 - 8) = 1
r1 = map_by_idx(0)
r2 = r10
r2 += -16
r3 = 16
r4 = 0
call 130
r0 = 0
exit
