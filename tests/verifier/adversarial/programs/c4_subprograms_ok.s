# expect: accept
# class: 4
# why: three subprograms in a row, each exits: the normal case
# run: empty -> 111
call f1
r6 = r0
call f2
r6 += r0
call f3
r0 += r6
exit
f1:
r0 = 1
exit
f2:
r0 = 10
exit
f3:
r0 = 100
exit
