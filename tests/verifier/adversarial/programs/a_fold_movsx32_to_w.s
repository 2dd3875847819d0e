# expect: accept
# class: alu
# why: w1 = (s16) w2 with w2 = 0x8000: 0xffff8000 zero-extended (verifier constant folding vs the engines: a disagreement runs the "dead" leak branch)
# run: empty -> 0
w2 = 0x8000
w1 = (s16) w2

r3 = 4294934528 ll
if r1 != r3 goto leak
r0 = 0
exit
leak:
r0 = r10
exit
