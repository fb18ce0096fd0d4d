// weft: the command-line front end.
#include <cstdio>
int main() { std::puts("weft"); return 0; }
