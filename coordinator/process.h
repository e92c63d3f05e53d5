// Running hook commands: fork/exec without a shell, with a timeout, output
// captured. Internal to the coordinator.
#ifndef DBROLL_COORDINATOR_PROCESS_H_
#define DBROLL_COORDINATOR_PROCESS_H_

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "dbroll/status.h"

namespace dbroll::internal {

struct ProcessSpec {
  std::vector<std::string> argv;             // argv[0] is looked up in PATH unless it has a '/'
  std::string working_dir;                   // "" keeps the current one
  std::map<std::string, std::string> env;    // added to (or replacing in) our environment
  std::string stdin_data;                    // written to the child's stdin, then closed
  std::chrono::milliseconds timeout{600000};
  // Called with the child's process group id once it runs, and with 0 once it ended.
  std::function<void(long long pgid)> on_start;
};

struct ProcessResult {
  int exit_code = -1;    // -1 when killed by a signal
  int signal = 0;        // the signal that ended it, 0 when it exited
  bool timed_out = false;
  bool status_unknown = false;  // reaped by the system (SIGCHLD ignored): exit code lost
  int stopped_by = 0;           // the RequestStop signal forwarded to it; 0 when none
  std::string output;    // stdout and stderr interleaved, the last 64 KiB
  std::chrono::milliseconds took{0};
};

// kInvalidArgument when the program cannot be started (not found, not
// executable); otherwise the result, whatever the exit code.
Result<ProcessResult> RunProcess(const ProcessSpec& spec);

// Tests only: forgets an earlier RequestStop.
void ResetStopForTest();

// The last `n` lines of `text`, without a trailing newline.
std::string LastLines(const std::string& text, int n);

}  // namespace dbroll::internal

#endif  // DBROLL_COORDINATOR_PROCESS_H_
