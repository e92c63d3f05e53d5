// Helpers for the tests that run real servers (dbroll serve, Prometheus,
// nginx, python3 test apps) on loopback: ports, processes, files, the CLI.
#ifndef DBROLL_TESTS_SUPPORT_SERVERS_H_
#define DBROLL_TESTS_SUPPORT_SERVERS_H_

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace dbroll::testing_servers {

namespace fs = std::filesystem;

inline std::string Slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline int FreePort() {
  int s = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  getsockname(s, reinterpret_cast<sockaddr*>(&a), &len);
  close(s);
  return ntohs(a.sin_port);
}

inline bool Answers(int port) {
  int s = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = connect(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  close(s);
  return ok;
}

// Polls `done` every 100 ms for at most `limit`.
inline bool WaitFor(const std::function<bool()>& done, std::chrono::milliseconds limit) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return done();
}

inline pid_t Spawn(const std::vector<std::string>& args, const std::string& out_file) {
  pid_t pid = fork();
  if (pid == 0) {
    setpgid(0, 0);
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    FILE* f = std::fopen(out_file.empty() ? "/dev/null" : out_file.c_str(), "w");
    if (f) {
      dup2(fileno(f), 1);
      dup2(fileno(f), 2);
    }
    execvp(argv[0], argv.data());
    _exit(127);
  }
  return pid;
}

inline void Stop(pid_t* pid) {
  if (*pid <= 0) return;
  kill(-*pid, SIGTERM);
  kill(*pid, SIGTERM);
  for (int i = 0; i < 50; ++i) {
    if (waitpid(*pid, nullptr, WNOHANG) == *pid) {
      *pid = -1;
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  kill(-*pid, SIGKILL);
  waitpid(*pid, nullptr, 0);
  *pid = -1;
}

inline std::string Quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// Exit code of `cmd` run by sh; its output in *out when given.
inline int Sh(const std::string& cmd, std::string* out = nullptr) {
  std::string tmpl = (std::filesystem::temp_directory_path() / "dbroll-sh-XXXXXX").string();
  int fd = mkstemp(tmpl.data());
  if (fd >= 0) close(fd);
  int rc = std::system(("(" + cmd + ") >" + tmpl + " 2>&1").c_str());
  if (out) *out = Slurp(tmpl);
  unlink(tmpl.c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

// The path of `name` on PATH (or in /usr/sbin), "" when missing.
inline std::string FindBinary(const std::string& name) {
  std::string out;
  if (Sh("command -v " + name + " || ls /usr/sbin/" + name, &out) != 0) return "";
  return out.substr(0, out.find('\n'));
}

// True when DBROLL_REQUIRE_SERVERS=1: a missing server is then a failure.
inline bool ServersRequired() {
  const char* r = std::getenv("DBROLL_REQUIRE_SERVERS");
  return r && std::string(r) == "1";
}

// A database of its own for one test on "sqlite", "postgres" or "mysql"
// (DBROLL_TEST_PG_URL / DBROLL_TEST_MYSQL_URL), dropped by Drop().
struct TestDatabase {
  std::string url;       // for dbroll.toml
  std::string error;     // why it could not be made; "" when ready
  bool skipped = false;  // the server is not configured and not required
  std::string backend, name, admin;

  // `dir` holds the SQLite file. The name is unique to this process.
  static TestDatabase Make(const std::string& backend, const fs::path& dir, const std::string& tag) {
    TestDatabase t;
    t.backend = backend;
    if (backend == "sqlite") {
      t.url = "sqlite:" + (dir / "app.db").string();
      t.name = (dir / "app.db").string();
      return t;
    }
    const char* base = std::getenv(backend == "postgres" ? "DBROLL_TEST_PG_URL" : "DBROLL_TEST_MYSQL_URL");
    if (!base || !*base) {
      t.skipped = !ServersRequired();
      t.error = std::string(backend == "postgres" ? "DBROLL_TEST_PG_URL" : "DBROLL_TEST_MYSQL_URL") + " is not set";
      return t;
    }
    const std::string b = base;
    const size_t slash = b.find('/', b.find("://") + 3);
    t.name = tag + "_" + std::to_string(getpid());
    t.url = b.substr(0, slash + 1) + t.name;
    if (backend == "postgres") {
      t.admin = "psql -X -q " + Quote(b) + " -tA";
    } else {
      const size_t at = b.find('@'), colon = b.find(':', at);
      t.admin = "mysql -N -h " + b.substr(at + 1, colon - at - 1) + " -P " + b.substr(colon + 1, slash - colon - 1) +
                " -u " + b.substr(8, at - 8);
    }
    std::string out;
    if (Sh(t.Admin("DROP DATABASE IF EXISTS " + t.name) + " && " + t.Admin("CREATE DATABASE " + t.name), &out) != 0) {
      t.error = "cannot create database " + t.name + ": " + out;
    }
    return t;
  }

  // The admin client running `sql` on the server's default database.
  std::string Admin(const std::string& sql) const {
    return admin + (backend == "postgres" ? " -c " : " -e ") + Quote(sql);
  }

  // 1 when table `table` exists, 0 when not.
  int TableCount(const std::string& table) const {
    std::string out;
    if (backend == "sqlite") {
      Sh("sqlite3 " + Quote(name) + " \"select count(*) from sqlite_master where name='" + table + "'\"", &out);
    } else if (backend == "postgres") {
      Sh("psql -X -q -tA " + Quote(url) + " -c \"select count(*) from pg_tables where tablename='" + table + "'\"",
         &out);
    } else {
      Sh(admin + " -e \"select count(*) from information_schema.tables where table_schema='" + name +
             "' and table_name='" + table + "'\"",
         &out);
    }
    return std::atoi(out.c_str());
  }

  void Drop() const {
    if (backend == "postgres") Sh(Admin("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)"));
    if (backend == "mysql") Sh(Admin("DROP DATABASE IF EXISTS " + name));
  }
};

// Writes migrations/<name>/up.sql and down.sql of project `proj`, each text
// followed by a newline.
inline void WriteMigration(const fs::path& proj, const std::string& name, const std::string& up,
                           const std::string& down) {
  fs::create_directories(proj / "migrations" / name);
  std::ofstream(proj / "migrations" / name / "up.sql") << up << "\n";
  std::ofstream(proj / "migrations" / name / "down.sql") << down << "\n";
}

// proj/hook.sh, an app_deploy / app_revert hook: appends "<action> <release>
// orders=<n>" (n: 1 when the SQLite database dir/app.db has table orders) to
// dir/hooks.log; with `revert_heals`, a revert writes 0 to dir/fail.
inline void WriteOrdersHook(const fs::path& dir, const fs::path& proj, bool revert_heals) {
  std::ofstream hook(proj / "hook.sh");
  hook << "#!/bin/sh\n"
       << "o=$(sqlite3 " << Quote((dir / "app.db").string())
       << " \"select count(*) from sqlite_master where name='orders'\")\n"
       << "echo \"$1 $DBROLL_RELEASE orders=$o\" >> " << Quote((dir / "hooks.log").string()) << "\n";
  if (revert_heals) hook << "if [ \"$1\" = revert ]; then echo 0 > " << Quote((dir / "fail").string()) << "; fi\n";
  hook.close();
  fs::permissions(proj / "hook.sh", fs::perms::owner_all);
}

// The [database] and [deploy] tables of a dbroll.toml whose database is the
// SQLite file dir/app.db and whose app hooks are WriteOrdersHook's.
inline std::string HookedSqliteConfig(const fs::path& dir) {
  return "[database]\nurl = \"sqlite:" + (dir / "app.db").string() + "\"\n" +
         "[deploy]\napp_deploy = \"./hook.sh deploy\"\napp_revert = \"./hook.sh revert\"\n";
}

#ifdef DBROLL_BINARY
// Exit code of `dbroll -C proj ARGS` (stopped after `timeout_s` seconds);
// its output (stdout and stderr) in *out when given.
inline int RunDbroll(const fs::path& proj, const std::string& args, std::string* out, int timeout_s = 120) {
  return Sh(
      "timeout " + std::to_string(timeout_s) + " " + Quote(DBROLL_BINARY) + " -C " + Quote(proj.string()) + " " + args,
      out);
}

// What `dbroll -C proj COMMAND --format json` prints on stdout.
inline std::string DbrollJson(const fs::path& proj, const std::string& command) {
  std::string out;
  RunDbroll(proj, command + " --format json 2>/dev/null", &out, 60);
  return out;
}
#endif

}  // namespace dbroll::testing_servers

// Skips the test when `bin` is empty, or fails it when CI requires servers.
#define DBROLL_REQUIRE_BINARY(bin, name)                                                    \
  do {                                                                                      \
    if ((bin).empty()) {                                                                    \
      if (::dbroll::testing_servers::ServersRequired()) FAIL() << name << " is not installed"; \
      GTEST_SKIP() << name << " is not installed";                                          \
    }                                                                                       \
  } while (0)

#endif  // DBROLL_TESTS_SUPPORT_SERVERS_H_
