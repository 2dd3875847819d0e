# expect: reject infinite loop
# class: 8
# why: goto -1: an infinite loop
r0 = 0
goto -1
