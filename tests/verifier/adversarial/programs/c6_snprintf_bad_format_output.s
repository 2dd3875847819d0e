# expect: reject unsupported conversion
# class: 6
# why: bpf_snprintf with an unsupported conversion (%n): refused at load as Linux does (and at run time the whole output buffer would be zeros, not the stale 0x41 bytes)
# map: rodata 4 3 1 data=256e00
call dirty
call victim
exit
victim:
r1 = r10
r1 += -16
r2 = 16
r3 = map_value_by_idx(0)+0
r4 = 0
r5 = 0
call 165
r0 = *(u64 *)(r10 - 8)
exit

dirty:
r1 = 0x4141414141414141 ll
*(u64 *)(r10 - 8) = r1
*(u64 *)(r10 - 16) = r1
*(u64 *)(r10 - 24) = r1
*(u64 *)(r10 - 32) = r1
r0 = 0
exit
