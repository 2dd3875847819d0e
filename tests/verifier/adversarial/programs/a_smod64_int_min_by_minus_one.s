# expect: accept
# class: alu
# why: INT64_MIN s% -1 = 0
# run: empty -> 0
r1 = 0x8000000000000000 ll
r2 = -1
r1 s%= r2
r0 = r1
exit
