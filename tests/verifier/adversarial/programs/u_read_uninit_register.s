# expect: reject
# class: uninit
# why: return r6 never written
r0 = r6
exit
