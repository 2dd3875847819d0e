# expect: accept
# class: alu
# why: if w1 s< 0 for r1 = 0x80000000 (negative as s32) is taken (verifier constant folding vs the engines: a disagreement runs the "dead" leak branch)
# run: empty -> 0
r1 = 0x80000000 ll
r4 = 0
if w1 s< 0 goto +1
r4 = 1
r1 = r4

r3 = 0 ll
if r1 != r3 goto leak
r0 = 0
exit
leak:
r0 = r10
exit
