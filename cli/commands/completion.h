// `dbroll completion bash|zsh|fish` and the hidden `dbroll man`: both walk the
// CLI11 command definitions, so they list exactly what the parser accepts.
#ifndef DBROLL_CLI_COMMANDS_COMPLETION_H_
#define DBROLL_CLI_COMMANDS_COMPLETION_H_

#include <string>

#include "cli/context.h"

namespace dbroll::cli {

// Adds `completion SHELL` and the hidden `man`; call it after every other
// command is registered (they are read when the command runs, so order is
// only a matter of the help listing).
void RegisterCompletion(CLI::App& app, Context& ctx, int* rc);

// The scripts and the man page (roff) for `app` and its visible subcommands.
std::string BashCompletion(const CLI::App& app);
std::string ZshCompletion(const CLI::App& app);
std::string FishCompletion(const CLI::App& app);
std::string ManPage(const CLI::App& app);

}  // namespace dbroll::cli

#endif  // DBROLL_CLI_COMMANDS_COMPLETION_H_
