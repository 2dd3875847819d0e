# expect: accept
# class: bounds32
# why: w2 <<= 32 by a register: the shift is masked (RFC 9669), so w2 stays 1 in every engine
# map: array 4 8 1
# run: empty -> 1
r1 = 0
*(u32 *)(r10 - 4) = r1
r2 = r10
r2 += -4
r1 = map_by_idx(0)
call 1
if r0 == 0 goto out

w2 = 1
w3 = 32
w2 <<= w3
r0 = r2
exit

out:
r0 = 0
exit
