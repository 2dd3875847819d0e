# expect: reject
# class: ringbuf
# why: bpf_ringbuf_submit of a stack pointer
# map: ringbuf 0 0 4096
*(u64 *)(r10 - 8) = 0
r1 = r10
r1 += -8
r2 = 0
call 132
r0 = 0
exit
