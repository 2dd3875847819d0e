# expect: reject
# class: mapvalue
# why: CVE-2017-17854 shape: value + 0x7fffffff three times
# map: array 4 8 1
r1 = 0
*(u32 *)(r10 - 4) = r1
r2 = r10
r2 += -4
r1 = map_by_idx(0)
call 1
if r0 == 0 goto out
r0 += 0x7fffffff
r0 += 0x7fffffff
r0 += 0x7fffffff
r0 = *(u8 *)(r0 + 0)
exit

out:
r0 = 0
exit
