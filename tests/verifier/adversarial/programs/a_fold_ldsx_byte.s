# expect: accept
# class: alu
# why: a sign-extending load of 0x80 is -128 (verifier constant folding vs the engines: a disagreement runs the "dead" leak branch)
# run: empty -> 0
*(u8 *)(r10 - 1) = 0x80
r1 = *(s8 *)(r10 - 1)

r3 = 18446744073709551488 ll
if r1 != r3 goto leak
r0 = 0
exit
leak:
r0 = r10
exit
