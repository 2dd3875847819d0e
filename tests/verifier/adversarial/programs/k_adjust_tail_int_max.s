# expect: accept
# class: packet
# why: bpf_xdp_adjust_tail(INT_MAX): must fail cleanly
# type: xdp
# run: zeros(14) -> 2
r2 = 2147483647
call 65
r1 = r0
r0 = 2
if r1 != 0 goto +1
r0 = 1
exit
