# expect: accept
# class: pruning
# why: precision: a bound learnt on a register also holds for its spilled copy, filled later
# map: array 4 8 1
# run: empty -> 0
r1 = 0
*(u32 *)(r10 - 4) = r1
r2 = r10
r2 += -4
r1 = map_by_idx(0)
call 1
if r0 == 0 goto out
r6 = *(u64 *)(r0 + 0)

*(u64 *)(r10 - 16) = r6
if r6 > 7 goto out
r1 = *(u64 *)(r10 - 16)
r0 += r1
r0 = *(u8 *)(r0 + 0)
exit

out:
r0 = 0
exit
