// The redirect program in its cpumap mode (see redirect_ifindex.c).
#include "redirect_ifindex.c"
