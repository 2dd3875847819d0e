# expect: accept
# class: 3
# why: if r2 < 4 return; read 4 bytes: run on an empty buffer too
# run: empty -> 0
# run: 01000000 -> 1
r0 = 0
if r2 < 4 goto out
r0 = *(u32 *)(r1 + 0)
out:
exit
