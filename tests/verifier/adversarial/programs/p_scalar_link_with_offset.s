# expect: accept
# class: pruning
# why: precision: r4 = r3; r3 += 1; if r4 > 7 goto out bounds r3 to [1, 8] (Linux links registers with a constant delta)
# map: array 4 8 1
# run: empty -> 0
r1 = 0
*(u32 *)(r10 - 4) = r1
r2 = r10
r2 += -4
r1 = map_by_idx(0)
call 1
if r0 == 0 goto out
r3 = *(u64 *)(r0 + 0)

r4 = r3
r3 += 1
if r4 > 6 goto out
r0 += r3
r0 = *(u8 *)(r0 + 0)
exit

out:
r0 = 0
exit
