# expect: accept
# class: alu
# why: w1 s>>= w2 with w2 = 33: masked to 1 (verifier constant folding vs the engines: a disagreement runs the "dead" leak branch)
# run: empty -> 0
w1 = 0x80000000
w2 = 33
w1 s>>= w2

r3 = 3221225472 ll
if r1 != r3 goto leak
r0 = 0
exit
leak:
r0 = r10
exit
