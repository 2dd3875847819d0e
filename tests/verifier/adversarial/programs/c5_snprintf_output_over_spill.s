# expect: accept
# run: empty -> 97
# class: 5
# why: bpf_snprintf's 8-byte buffer covers the whole spilled pointer and the helper defines every byte ("a" then zeros): no address byte stays readable
# map: rodata 4 2 1 data=6100
*(u64 *)(r10 - 8) = r10
*(u64 *)(r10 - 16) = 0
r1 = r10
r1 += -8
r2 = 8
r3 = map_value_by_idx(0)+0
r4 = 0
r5 = 0
call 165
r0 = *(u64 *)(r10 - 8)
exit
