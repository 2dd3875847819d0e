# expect: accept
# run: empty -> 0
# class: 3
# why: raw_memory: the same NULL-buffer branch, dead because the runtime never passes NULL
# type: raw
if r1 != 0 goto ok
r0 = r10
exit
ok:
r0 = 0
exit
