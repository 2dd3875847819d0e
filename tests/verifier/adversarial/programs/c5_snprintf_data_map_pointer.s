# expect: reject
# class: 5
# why: bpf_snprintf data array holding a map value pointer written by the program (%llx)
# map: array 4 8 1
# map: rodata 4 8 1 data=256c6c7800000000
r1 = 0
*(u32 *)(r10 - 4) = r1
r2 = r10
r2 += -4
r1 = map_by_idx(0)
call 1
if r0 == 0 goto out

*(u64 *)(r10 - 16) = r0
r1 = r10
r1 += -48
r2 = 32
r3 = map_value_by_idx(1)+0
r4 = r10
r4 += -16
r5 = 8
call 165
r0 = *(u64 *)(r10 - 48)
exit

out:
r0 = 0
exit
