# expect: reject
# class: 8
# why: a loop bounded by an unmasked 64-bit number from the input
r0 = 0
if r2 < 8 goto out
r3 = *(u64 *)(r1 + 0)
loop:
if r0 >= r3 goto out
r0 += 1
goto loop
out:
exit
