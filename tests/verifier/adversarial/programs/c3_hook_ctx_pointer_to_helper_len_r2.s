# expect: reject
# class: 3
# why: pass the input buffer and its length (r2, unbounded) to bpf_csum_diff
r3 = 0
r4 = 0
r5 = 0
call 28
exit
