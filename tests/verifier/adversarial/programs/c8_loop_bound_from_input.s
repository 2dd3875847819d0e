# expect: accept
# class: 8
# why: a loop bounded by a 64-bit number from the input: Linux needs a bound it can prove
# run: 0500000000000000 -> 5
# run: ff00000000000000 -> 255
r0 = 0
if r2 < 8 goto out
r3 = *(u64 *)(r1 + 0)
r3 &= 0xff
loop:
if r0 >= r3 goto out
r0 += 1
goto loop
out:
exit
