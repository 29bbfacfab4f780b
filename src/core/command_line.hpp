// Internal: this process's command line, the one place it is read (statistics, resume commands).
#pragma once

#include <string>
#include <vector>

namespace eyemap {

// This process's command line (argv) from /proc/self/cmdline; empty where that is not available.
std::vector<std::string> process_command_line();

}  // namespace eyemap
