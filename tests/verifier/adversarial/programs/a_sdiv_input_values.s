# expect: accept
# class: alu
# why: signed division of input values (engines must agree on every sign)
# run: 0000000000000080ffffffffffffffff -> -9223372036854775808
# run: f9ffffffffffffff0200000000000000 -> -3
# run: 07000000000000000000000000000000 -> 0
r0 = 0
if r2 < 16 goto out
r3 = *(u64 *)(r1 + 0)
r4 = *(u64 *)(r1 + 8)
r3 s/= r4
r0 = r3
out:
exit
