# expect: accept
# class: 4
# why: a function calling itself 3 deep (RFC 9669 allows bounded recursion; we simulate frames): every engine agrees
# run: empty -> 3
r1 = 3
call f
exit
f:
r0 = 0
if r1 == 0 goto done
r1 += -1
call f
r0 += 1
done:
exit
