// The consumer program of every package test: eyemap linked directly, or (EYEMAP_CONSUMER_VIA_PLUG)
// through the shared object built from plug.cpp.
#ifdef EYEMAP_CONSUMER_VIA_PLUG
extern "C" int eyemap_plug_report(void);
int main() { return eyemap_plug_report(); }
#else
#include "report.hpp"
int main() { return eyemap_consumer::report(); }
#endif
