// This process's command line from /proc/self/cmdline (Linux); nothing elsewhere.
#include "core/command_line.hpp"

#include <fstream>

namespace eyemap {

std::vector<std::string> process_command_line() {
    std::vector<std::string> args;
#ifdef __linux__
    std::ifstream in("/proc/self/cmdline", std::ios::binary);
    for (std::string a; std::getline(in, a, '\0');) args.push_back(std::move(a));
#endif
    return args;
}

}  // namespace eyemap
