# expect: accept
# class: alu
# why: w1 = -w1 of 1 is 0xffffffff, zero-extended (verifier constant folding vs the engines: a disagreement runs the "dead" leak branch)
# run: empty -> 0
r1 = 1
w1 = -w1

r3 = 4294967295 ll
if r1 != r3 goto leak
r0 = 0
exit
leak:
r0 = r10
exit
