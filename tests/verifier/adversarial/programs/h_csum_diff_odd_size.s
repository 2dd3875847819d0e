# expect: accept
# class: helper
# why: bpf_csum_diff with a 6-byte buffer (Linux: sizes must be multiples of 4, -EINVAL)
# run: empty -> -22
*(u64 *)(r10 - 8) = 0
r1 = r10
r1 += -8
r2 = 6
r3 = 0
r4 = 0
r5 = 0
call 28
exit
