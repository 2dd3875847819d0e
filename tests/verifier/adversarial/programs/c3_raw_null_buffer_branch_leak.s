# expect: reject
# class: 3
# why: raw_memory: the same NULL-buffer branch
# type: raw
if r1 != 0 goto ok
r0 = r10
exit
ok:
r0 = 0
exit
