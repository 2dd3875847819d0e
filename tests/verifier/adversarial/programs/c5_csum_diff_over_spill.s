# expect: reject
# class: 5
# why: bpf_csum_diff reads a stack area holding a spilled pointer: the checksum is the address
*(u64 *)(r10 - 8) = r10
r1 = r10
r1 += -8
r2 = 8
r3 = 0
r4 = 0
r5 = 0
call 28
exit
