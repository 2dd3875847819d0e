# expect: reject
# class: helper
# why: bpf_xdp_adjust_head in a hook program
r2 = 4
call 44
r0 = 0
exit
