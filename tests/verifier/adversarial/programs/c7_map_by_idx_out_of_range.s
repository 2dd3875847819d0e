# expect: reject
# class: 7
# why: LDDW of map index 5 in an object with one map
# map: array 4 8 1
r1 = map_by_idx(5)
r0 = 0
exit
