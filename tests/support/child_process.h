// Child processes of the tests that run the dbroll binary in the background
// (to kill it, or to run several at once): start with the output going to a
// file, wait for the exit code. Files read and written whole.
#ifndef DBROLL_TESTS_SUPPORT_CHILD_PROCESS_H_
#define DBROLL_TESTS_SUPPORT_CHILD_PROCESS_H_

#include <fcntl.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace dbroll::testing {

inline std::string ReadWholeFile(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Writes `text` to `p`, making its directory first.
inline void WriteWholeFile(const std::filesystem::path& p, const std::string& text) {
  std::filesystem::create_directories(p.parent_path());
  std::ofstream(p) << text;
}

namespace internal {
// In the child: stdout and stderr to `out`.
inline void RedirectOutput(const std::filesystem::path& out) {
  int fd = open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  dup2(fd, 1);
  dup2(fd, 2);
}
}  // namespace internal

// Starts `argv` (argv[0] the program's path) with NO_COLOR=1, stdout and
// stderr going to `out`; its pid.
inline pid_t StartProgram(std::vector<std::string> argv, const std::filesystem::path& out) {
  pid_t pid = fork();
  if (pid == 0) {
    internal::RedirectOutput(out);
    std::vector<char*> cargv;
    for (auto& a : argv) cargv.push_back(a.data());
    cargv.push_back(nullptr);
    setenv("NO_COLOR", "1", 1);
    execv(cargv[0], cargv.data());
    _exit(127);
  }
  return pid;
}

// Starts `exec <command>` by sh, stdout and stderr going to `out`; its pid
// (the command's own, thanks to exec).
inline pid_t StartShell(const std::string& command, const std::filesystem::path& out) {
  const std::string script = "exec " + command;
  pid_t pid = fork();
  if (pid == 0) {
    internal::RedirectOutput(out);
    execl("/bin/sh", "sh", "-c", script.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  return pid;
}

// Waits for `pid`: its exit code, or minus the signal that ended it.
inline int WaitForExit(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
}

}  // namespace dbroll::testing

#endif  // DBROLL_TESTS_SUPPORT_CHILD_PROCESS_H_
