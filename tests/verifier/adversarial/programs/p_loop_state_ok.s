# expect: accept
# class: pruning
# why: a loop over the 8 bytes of a value, 4 at a time: fine
# map: array 4 8 1
# run: empty -> 0
r1 = 0
*(u32 *)(r10 - 4) = r1
r2 = r10
r2 += -4
r1 = map_by_idx(0)
call 1
if r0 == 0 goto out

r1 = 0
r3 = 0
loop:
r2 = r0
r2 += r1
r4 = *(u32 *)(r2 + 0)
r3 += r4
r1 += 4
if r1 < 8 goto loop
r0 = r3
exit

out:
r0 = 0
exit
