# expect: accept
# class: alu
# why: bswap32 of 0x1122334455667788 is 0x88776655 (verifier constant folding vs the engines: a disagreement runs the "dead" leak branch)
# run: empty -> 0
r1 = 0x1122334455667788 ll
r1 = bswap32 r1

r3 = 2289526357 ll
if r1 != r3 goto leak
r0 = 0
exit
leak:
r0 = r10
exit
