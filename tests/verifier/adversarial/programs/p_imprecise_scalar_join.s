# expect: reject
# class: pruning
# why: CVE-2023-2163 shape: two paths set r8 to 0 or 0x10000 and join; pruning must not drop the big one
# map: array 4 8 1
r1 = 0
*(u32 *)(r10 - 4) = r1
r2 = r10
r2 += -4
r1 = map_by_idx(0)
call 1
if r0 == 0 goto out
r6 = *(u64 *)(r0 + 0)

r8 = 0
if r6 == 0 goto join
r8 = 0x10000
join:
r7 = r6
r7 &= 1
r0 += r8
r0 = *(u8 *)(r0 + 0)
exit

out:
r0 = 0
exit
