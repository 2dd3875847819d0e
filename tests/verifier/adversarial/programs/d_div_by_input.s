# expect: accept
# class: division
# why: unsigned division by an input word (maybe zero)
# run: 0a00000000000000 -> 0
# run: 0a00000003000000 -> 3
r0 = 0
if r2 < 8 goto out
r3 = *(u32 *)(r1 + 0)
r4 = *(u32 *)(r1 + 4)
r3 /= r4
r0 = r3
out:
exit
