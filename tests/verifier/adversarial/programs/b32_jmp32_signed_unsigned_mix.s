# expect: reject
# class: bounds32
# why: a signed 32-bit check then an unsigned use: w6 s< 8 admits negative words
# map: array 4 8 1
r1 = 0
*(u32 *)(r10 - 4) = r1
r2 = r10
r2 += -4
r1 = map_by_idx(0)
call 1
if r0 == 0 goto out
r6 = *(u64 *)(r0 + 0)

if w6 s> 7 goto out
w6 += 0
r0 += r6
r0 = *(u8 *)(r0 + 0)
exit

out:
r0 = 0
exit
