# expect: accept
# class: alu
# why: w1 *= w2 keeps the low 32 bits (verifier constant folding vs the engines: a disagreement runs the "dead" leak branch)
# run: empty -> 0
w1 = 0x10001
w2 = 0x10001
w1 *= w2

r3 = 131073 ll
if r1 != r3 goto leak
r0 = 0
exit
leak:
r0 = r10
exit
