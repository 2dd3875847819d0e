# expect: accept
# class: 3
# why: a hook program that tests r1 for NULL and returns 7 then: fine, and must return 7 on an empty buffer
# run: empty -> 7
# run: 01 -> 1
r0 = 7
if r1 == 0 goto out
r0 = 1
out:
exit
