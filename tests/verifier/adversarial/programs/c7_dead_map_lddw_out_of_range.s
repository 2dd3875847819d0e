# expect: reject
# class: 7
# why: an unbindable LDDW in dead code still reaches the native module
# type: raw
# map: array 4 8 1
r0 = 0
if r0 == 0 goto +2
r1 = map_by_idx(9)
r0 = 1
exit
