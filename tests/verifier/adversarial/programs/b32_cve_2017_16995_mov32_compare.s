# expect: reject
# class: bounds32
# why: CVE-2017-16995: if r2 == -1 (64-bit) after w2 = -1 is false at run time: the other branch leaks
# map: array 4 8 1
r1 = 0
*(u32 *)(r10 - 4) = r1
r2 = r10
r2 += -4
r1 = map_by_idx(0)
call 1
if r0 == 0 goto out

w2 = -1
if r2 == -1 goto out
r0 = r10
exit

out:
r0 = 0
exit
