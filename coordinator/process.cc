#include "coordinator/process.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <optional>

#include "dbroll/deploy_hooks.h"

extern char** environ;

namespace dbroll {
namespace {

// Lock-free atomics: read and written from a signal handler.
std::atomic<int> g_stop_signal{0};
std::atomic<pid_t> g_hook_pgid{0};

}  // namespace

void RequestStop(int signal) {
  g_stop_signal.store(signal);
  const pid_t pgid = g_hook_pgid.load();
  if (pgid > 0) ::kill(-pgid, signal);
}

int StopSignal() { return g_stop_signal.load(); }

namespace internal {

void ResetStopForTest() { g_stop_signal.store(0); }

namespace {

constexpr size_t kKeepOutput = 64 * 1024;
constexpr auto kKillGrace = std::chrono::seconds(2);
// A stopping dbroll gives the hook this long after forwarding the signal.
constexpr auto kStopGrace = std::chrono::seconds(10);

class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { Close(); }
  int get() const { return fd_; }
  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  void Reset(int fd) {
    Close();
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

bool MakePipe(Fd* read_end, Fd* write_end) {
  int p[2];
  if (::pipe2(p, O_CLOEXEC) != 0) return false;
  read_end->Reset(p[0]);
  write_end->Reset(p[1]);
  return true;
}

void Append(std::string* out, const char* data, size_t n) {
  out->append(data, n);
  if (out->size() > 2 * kKeepOutput) out->erase(0, out->size() - kKeepOutput);
}

// Writes to a pipe whose reader may be gone without letting SIGPIPE end us;
// a library must not change the process's signal dispositions, so the
// signal is blocked for the call and a pending one is consumed.
ssize_t WriteNoSigpipe(int fd, const char* data, size_t n) {
  sigset_t pipe_set, old;
  sigemptyset(&pipe_set);
  sigaddset(&pipe_set, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
  ssize_t w = ::write(fd, data, n);
  int saved = errno;
  if (w < 0 && errno == EPIPE) {
    timespec zero{0, 0};
    sigtimedwait(&pipe_set, nullptr, &zero);
  }
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  errno = saved;
  return w;
}

}  // namespace

std::string LastLines(const std::string& text, int n) {
  size_t end = text.size();
  while (end > 0 && (text[end - 1] == '\n' || text[end - 1] == '\r')) --end;
  size_t begin = end;
  for (int lines = 0; begin > 0; --begin) {
    if (text[begin - 1] == '\n' && ++lines == n) break;
  }
  return text.substr(begin, end - begin);
}

Result<ProcessResult> RunProcess(const ProcessSpec& spec) {
  if (spec.argv.empty()) return Status(Code::kInvalidArgument, "empty command");
  if (g_stop_signal.load() != 0) {
    return Status(Code::kCheckFailed, spec.argv[0] + " was not started: dbroll is stopping (signal " +
                                          std::to_string(g_stop_signal.load()) + ")");
  }
  // Everything the child needs is prepared before fork(): between fork and
  // exec only async-signal-safe calls are allowed.
  std::map<std::string, std::string> env;
  for (char** e = environ; *e; ++e) {
    const char* eq = std::strchr(*e, '=');
    if (eq) env[std::string(*e, eq - *e)] = eq + 1;
  }
  for (const auto& [k, v] : spec.env) env[k] = v;
  std::vector<std::string> env_text;
  for (const auto& [k, v] : env) env_text.push_back(k + "=" + v);
  std::vector<char*> envp, argv;
  for (auto& s : env_text) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> args = spec.argv;
  for (auto& s : args) argv.push_back(s.data());
  argv.push_back(nullptr);

  Fd out_r, out_w, in_r, in_w, err_r, err_w, go_r, go_w;
  if (!MakePipe(&out_r, &out_w) || !MakePipe(&in_r, &in_w) || !MakePipe(&err_r, &err_w) || !MakePipe(&go_r, &go_w)) {
    return Status(Code::kInternal, std::string("pipe: ") + std::strerror(errno));
  }
  const auto start = std::chrono::steady_clock::now();
  pid_t pid = ::fork();
  if (pid < 0) return Status(Code::kInternal, std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    // Its own process group, so a timeout ends the hook and everything it started.
    ::setpgid(0, 0);
    // A caller that blocks signals for itself (dbroll serve waits for
    // SIGTERM with sigwait) must not hand that mask to the hook, which
    // could then never be stopped by SIGTERM.
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    // Wait until the parent has recorded us (on_start writes the deploy
    // record: a hook reading the same SQLite file must not meet that write).
    ::close(go_w.get());
    char go = 0;
    while (::read(go_r.get(), &go, 1) < 0 && errno == EINTR) {
    }
    ::dup2(in_r.get(), STDIN_FILENO);
    ::dup2(out_w.get(), STDOUT_FILENO);
    ::dup2(out_w.get(), STDERR_FILENO);
    if (!spec.working_dir.empty() && ::chdir(spec.working_dir.c_str()) != 0) {
      int e = errno;
      (void)!::write(err_w.get(), &e, sizeof e);
      ::_exit(127);
    }
    ::execvpe(argv[0], argv.data(), envp.data());
    int e = errno;
    (void)!::write(err_w.get(), &e, sizeof e);
    ::_exit(127);
  }
  ::setpgid(pid, pid);  // also here: no race with the child's own call
  g_hook_pgid.store(pid);
  struct Forget {
    const ProcessSpec& spec;
    ~Forget() {
      g_hook_pgid.store(0);
      if (spec.on_start) spec.on_start(0);
    }
  } forget{spec};
  out_w.Close();
  in_r.Close();
  err_w.Close();
  go_r.Close();
  if (spec.on_start) spec.on_start(pid);
  (void)!::write(go_w.get(), "g", 1);
  go_w.Close();
  int exec_errno = 0;
  if (::read(err_r.get(), &exec_errno, sizeof exec_errno) == static_cast<ssize_t>(sizeof exec_errno)) {
    int st = 0;
    ::waitpid(pid, &st, 0);  // ECHILD when SIGCHLD is ignored: then it is reaped already
    return Status(Code::kInvalidArgument, "cannot run " + spec.argv[0] +
                                              (spec.working_dir.empty() ? "" : " in " + spec.working_dir) + ": " +
                                              std::strerror(exec_errno));
  }
  ::fcntl(in_w.get(), F_SETFL, O_NONBLOCK);
  ::fcntl(out_r.get(), F_SETFL, O_NONBLOCK);
  if (spec.stdin_data.empty()) in_w.Close();

  ProcessResult result;
  size_t written = 0;
  const auto deadline = start + spec.timeout;
  std::optional<std::chrono::steady_clock::time_point> killed_at, stop_at;
  int status = 0;
  bool exited = false;
  char buf[8192];
  while (!exited) {
    pollfd fds[2];
    int n = 0;
    fds[n++] = {out_r.get(), POLLIN, 0};
    if (in_w.get() >= 0) fds[n++] = {in_w.get(), POLLOUT, 0};
    // Short polls: a hook that starts a daemon leaves our pipe open in the
    // daemon, so the end of the hook is its exit, not EOF on the pipe.
    ::poll(fds, n, 50);
    if (out_r.get() >= 0 && (fds[0].revents & (POLLIN | POLLHUP))) {
      ssize_t r = ::read(out_r.get(), buf, sizeof buf);
      if (r > 0) Append(&result.output, buf, r);
      else if (r == 0) out_r.Close();
    }
    if (in_w.get() >= 0 && n > 1 && (fds[1].revents & (POLLOUT | POLLERR | POLLHUP))) {
      ssize_t w = WriteNoSigpipe(in_w.get(), spec.stdin_data.data() + written, spec.stdin_data.size() - written);
      if (w > 0) written += w;
      if (w < 0 && errno != EAGAIN) in_w.Close();
      if (written == spec.stdin_data.size()) in_w.Close();
    }
    const pid_t waited = ::waitpid(pid, &status, WNOHANG);
    if (waited == pid) {
      exited = true;
      break;
    }
    if (waited < 0 && errno == ECHILD) {
      // SIGCHLD is ignored (inherited SIG_IGN): the system reaped the hook
      // and its exit status is gone. Stop waiting instead of looping forever.
      result.status_unknown = true;
      exited = true;
      break;
    }
    const auto now = std::chrono::steady_clock::now();
    if (const int sig = g_stop_signal.load(); sig != 0 && !stop_at) {
      // Also covers a signal that came between fork() and g_hook_pgid.
      ::kill(-pid, sig);
      result.stopped_by = sig;
      stop_at = now;
    } else if (stop_at && !killed_at && now >= *stop_at + kStopGrace) {
      ::kill(-pid, SIGKILL);
      killed_at = now;
    }
    if (!killed_at && now >= deadline) {
      result.timed_out = true;
      ::kill(-pid, SIGTERM);
      killed_at = now;
    } else if (killed_at && now >= *killed_at + kKillGrace) {
      ::kill(-pid, SIGKILL);
    }
  }
  // RequestStop may have signalled the group before this loop looked.
  if (result.stopped_by == 0) result.stopped_by = g_stop_signal.load();
  // Drain what the hook wrote before it exited.
  while (out_r.get() >= 0) {
    ssize_t r = ::read(out_r.get(), buf, sizeof buf);
    if (r <= 0) break;
    Append(&result.output, buf, r);
  }
  if (result.output.size() > kKeepOutput) result.output.erase(0, result.output.size() - kKeepOutput);
  result.took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
  if (result.status_unknown) {
    result.exit_code = -1;
  } else if (WIFEXITED(status)) {
    result.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    result.signal = WTERMSIG(status);
  }
  return result;
}

}  // namespace internal
}  // namespace dbroll
