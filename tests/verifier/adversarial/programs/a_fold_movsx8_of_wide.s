# expect: accept
# class: alu
# why: r1 = (s8) r2 with r2 = 0x1ff: -1 (verifier constant folding vs the engines: a disagreement runs the "dead" leak branch)
# run: empty -> 0
r2 = 0x1ff
r1 = (s8) r2

r3 = 18446744073709551615 ll
if r1 != r3 goto leak
r0 = 0
exit
leak:
r0 = r10
exit
