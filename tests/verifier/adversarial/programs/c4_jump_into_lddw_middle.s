# expect: reject
# class: 4
# why: a jump to the second slot of an LDDW
goto +1
r0 = 0x1234567812345678 ll
exit
