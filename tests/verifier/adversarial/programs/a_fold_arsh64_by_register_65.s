# expect: accept
# class: alu
# why: r1 s>>= r2 with r2 = 65: masked to 1 (verifier constant folding vs the engines: a disagreement runs the "dead" leak branch)
# run: empty -> 0
r1 = -4
r2 = 65
r1 s>>= r2

r3 = 18446744073709551614 ll
if r1 != r3 goto leak
r0 = 0
exit
leak:
r0 = r10
exit
