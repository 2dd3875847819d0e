# expect: accept
# class: helper
# why: bpf_csum_diff over the first 4 bytes of the input after a length check
# run: 01020304
# run: empty -> 0
r0 = 0
if r2 < 4 goto out
r3 = 0
r4 = 0
r5 = 0
r2 = 4
call 28
out:
exit
