# expect: reject
# class: 7
# why: LDDW map value by fd (src 2)
# map: array 4 8 1
r1 = map_value_by_fd(3)+0
r0 = *(u32 *)(r1 + 0)
exit
