// A shared object with the static eyemap library inside (needs eyemap built as position-independent code).
#include "report.hpp"

extern "C" int eyemap_plug_report(void) { return eyemap_consumer::report(); }
