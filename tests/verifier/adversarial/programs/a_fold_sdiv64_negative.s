# expect: accept
# class: alu
# why: r1 = -7 s/ 2 = -3 (truncation toward zero) (verifier constant folding vs the engines: a disagreement runs the "dead" leak branch)
# run: empty -> 0
r1 = -7
r2 = 2
r1 s/= r2

r3 = 18446744073709551613 ll
if r1 != r3 goto leak
r0 = 0
exit
leak:
r0 = r10
exit
