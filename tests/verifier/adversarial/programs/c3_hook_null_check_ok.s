# expect: accept
# class: 3
# why: a hook program that tests r1 for NULL: fine; the runtime never passes NULL (an empty buffer is empty_memory()), so it returns 1 on an empty buffer too
# run: empty -> 1
# run: 01 -> 1
r0 = 7
if r1 == 0 goto out
r0 = 1
out:
exit
