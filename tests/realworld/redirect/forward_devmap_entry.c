// The same forwarding program with the devmap entry set (see forward_devmap.c).
#include "forward_devmap.c"
