# expect: reject
# class: 4
# why: a local call to the second slot of an LDDW
call pc+2
exit
r0 = 0x1234567812345678 ll
exit
