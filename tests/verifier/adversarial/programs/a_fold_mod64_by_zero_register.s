# expect: accept
# class: alu
# why: r1 %= r2 with r2 = 0: r1 unchanged (verifier constant folding vs the engines: a disagreement runs the "dead" leak branch)
# run: empty -> 0
r1 = -5
r2 = 0
r1 %= r2

r3 = 18446744073709551611 ll
if r1 != r3 goto leak
r0 = 0
exit
leak:
r0 = r10
exit
