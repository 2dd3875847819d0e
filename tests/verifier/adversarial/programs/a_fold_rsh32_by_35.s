# expect: accept
# class: alu
# why: w1 >>= w2 with w2 = 35: masked to 3, zero-extended (verifier constant folding vs the engines: a disagreement runs the "dead" leak branch)
# run: empty -> 0
r1 = -1
w2 = 35
w1 >>= w2

r3 = 536870911 ll
if r1 != r3 goto leak
r0 = 0
exit
leak:
r0 = r10
exit
