# expect: accept
# class: pruning
# why: precision: 24 sequential if-diamonds writing a dead register must verify quickly (Linux: liveness)
# run: empty -> 1
# run: ffffffffffffffff -> 1
r6 = 0
if r2 < 8 goto start
r6 = *(u64 *)(r1 + 0)
start:

if r6 & 1 goto +2
r7 = 0
goto +1
r7 = 100

if r6 & 2 goto +2
r7 = 1
goto +1
r7 = 101

if r6 & 4 goto +2
r7 = 2
goto +1
r7 = 102

if r6 & 8 goto +2
r7 = 3
goto +1
r7 = 103

if r6 & 16 goto +2
r7 = 4
goto +1
r7 = 104

if r6 & 32 goto +2
r7 = 5
goto +1
r7 = 105

if r6 & 64 goto +2
r7 = 6
goto +1
r7 = 106

if r6 & 128 goto +2
r7 = 7
goto +1
r7 = 107

if r6 & 256 goto +2
r7 = 8
goto +1
r7 = 108

if r6 & 512 goto +2
r7 = 9
goto +1
r7 = 109

if r6 & 1024 goto +2
r7 = 10
goto +1
r7 = 110

if r6 & 2048 goto +2
r7 = 11
goto +1
r7 = 111

if r6 & 4096 goto +2
r7 = 12
goto +1
r7 = 112

if r6 & 8192 goto +2
r7 = 13
goto +1
r7 = 113

if r6 & 16384 goto +2
r7 = 14
goto +1
r7 = 114

if r6 & 32768 goto +2
r7 = 15
goto +1
r7 = 115

if r6 & 65536 goto +2
r7 = 16
goto +1
r7 = 116

if r6 & 131072 goto +2
r7 = 17
goto +1
r7 = 117

if r6 & 262144 goto +2
r7 = 18
goto +1
r7 = 118

if r6 & 524288 goto +2
r7 = 19
goto +1
r7 = 119

if r6 & 1048576 goto +2
r7 = 20
goto +1
r7 = 120

if r6 & 2097152 goto +2
r7 = 21
goto +1
r7 = 121

if r6 & 4194304 goto +2
r7 = 22
goto +1
r7 = 122

if r6 & 8388608 goto +2
r7 = 23
goto +1
r7 = 123

r0 = 1
exit
