# expect: reject
# class: 5
# why: overwrite a byte of a spilled map value pointer, fill it and dereference it
# map: array 4 8 1
r1 = 0
*(u32 *)(r10 - 4) = r1
r2 = r10
r2 += -4
r1 = map_by_idx(0)
call 1
if r0 == 0 goto out

*(u64 *)(r10 - 16) = r0
*(u8 *)(r10 - 16) = 0x40
r1 = *(u64 *)(r10 - 16)
r0 = *(u64 *)(r1 + 0)
exit

out:
r0 = 0
exit
