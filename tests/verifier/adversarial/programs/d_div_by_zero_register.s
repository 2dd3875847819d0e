# expect: accept
# class: division
# why: r1 / 0 is 0 (RFC 9669)
# run: empty -> 0
r1 = 10
r2 = 0
r1 /= r2
r0 = r1
exit
