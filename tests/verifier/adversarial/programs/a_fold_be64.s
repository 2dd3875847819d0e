# expect: accept
# class: alu
# why: be64 of 0x0102030405060708 (verifier constant folding vs the engines: a disagreement runs the "dead" leak branch)
# run: empty -> 0
r1 = 0x0102030405060708 ll
r1 = be64 r1

r3 = 578437695752307201 ll
if r1 != r3 goto leak
r0 = 0
exit
leak:
r0 = r10
exit
