// Internals shared by engine/fleet*.cc.
#ifndef DBROLL_ENGINE_FLEET_INTERNAL_H_
#define DBROLL_ENGINE_FLEET_INTERNAL_H_

#include <string>

#include "dbroll/status.h"

namespace dbroll::internal {

struct ShellResult {
  int exit_code = -1;  // -1 when killed by a signal
  std::string output;  // stdout (and stderr when asked for)
};

// Runs `command` with /bin/sh in `dir` ("" keeps the current one); its
// stderr is captured too with `with_stderr`, else it goes to ours. An error
// only when the shell cannot start; otherwise the result, whatever the exit.
Result<ShellResult> RunShell(const std::string& command, const std::string& dir, bool with_stderr);

}  // namespace dbroll::internal

#endif  // DBROLL_ENGINE_FLEET_INTERNAL_H_
