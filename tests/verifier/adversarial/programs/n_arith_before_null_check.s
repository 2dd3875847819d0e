# expect: reject
# class: nullable
# why: CVE-2022-23222 shape: r0 += 8 on a map value that may be NULL, then the NULL check
# map: hash 4 8 1
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map_by_idx(0)
call 1
r0 += 8
if r0 == 0 goto out
r0 = *(u64 *)(r0 - 8)
exit
out:
r0 = 0
exit
