# expect: reject
# class: ctx
# why: an 8-byte read spanning data and data_end
# type: xdp
r0 = *(u64 *)(r1 + 0)
exit
