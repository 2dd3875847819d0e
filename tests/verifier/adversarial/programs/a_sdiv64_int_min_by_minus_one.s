# expect: accept
# class: alu
# why: INT64_MIN s/ -1 (x86 idiv traps): RFC 9669 defines the result; identical in every engine
# run: empty -> -9223372036854775808
r1 = 0x8000000000000000 ll
r2 = -1
r1 s/= r2
r0 = r1
exit
