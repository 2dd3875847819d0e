# expect: accept
# class: alu
# why: w1 += 1 of 0xffffffff wraps to 0, upper half cleared (verifier constant folding vs the engines: a disagreement runs the "dead" leak branch)
# run: empty -> 0
r1 = -1
w1 += 1

r3 = 0 ll
if r1 != r3 goto leak
r0 = 0
exit
leak:
r0 = r10
exit
