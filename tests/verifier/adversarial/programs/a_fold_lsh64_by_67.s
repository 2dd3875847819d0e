# expect: accept
# class: alu
# why: r1 <<= r2 with r2 = 67: masked to 3 (verifier constant folding vs the engines: a disagreement runs the "dead" leak branch)
# run: empty -> 0
r1 = 5
r2 = 67
r1 <<= r2

r3 = 40 ll
if r1 != r3 goto leak
r0 = 0
exit
leak:
r0 = r10
exit
