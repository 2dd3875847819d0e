# expect: accept
# class: alu
# why: le16 of 0x12345678 keeps 0x5678 (verifier constant folding vs the engines: a disagreement runs the "dead" leak branch)
# run: empty -> 0
r1 = 0x12345678
r1 = le16 r1

r3 = 22136 ll
if r1 != r3 goto leak
r0 = 0
exit
leak:
r0 = r10
exit
