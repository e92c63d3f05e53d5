// The real dbroll binary (DBROLL_BINARY) run on a scratch project directory:
// the fixture of the end-to-end CLI tests. The directory is made fresh for
// each test and removed after it.
#ifndef DBROLL_TESTS_SUPPORT_CLI_PROJECT_H_
#define DBROLL_TESTS_SUPPORT_CLI_PROJECT_H_

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <utility>

#include "dbroll/driver.h"
#include "tests/support/child_process.h"

namespace dbroll::testing {

// What one run of the binary printed and how it exited.
struct CliResult {
  int code = -1;
  std::string out;  // stdout, and stderr too unless the run kept them apart
  std::string err;  // stderr when the run kept it apart
};

// dbroll.toml of a project on the SQLite file app.db with its migrations in migrations/.
inline constexpr char kSqliteProjectToml[] =
    "[database]\nurl = \"sqlite:app.db\"\n[migrations]\ndir = \"migrations\"\n";

// The exit code of `command` run by sh, -1 when it did not exit.
inline int ExitCodeOf(const std::string& command) {
  const int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

class CliProjectTest : public ::testing::Test {
 protected:
  // The project directory is dbroll-<test suite>-<pid>-<n> in the temp
  // directory, with migrations/ and, unless `toml` is empty, dbroll.toml
  // holding `toml`.
  explicit CliProjectTest(std::string toml = kSqliteProjectToml) : toml_(std::move(toml)) {}
  void SetUp() override {
    static int n = 0;
    std::string suite = ::testing::UnitTest::GetInstance()->current_test_info()->test_suite_name();
    for (char& c : suite) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    dir_ = std::filesystem::temp_directory_path() /
           ("dbroll-" + suite + "-" + std::to_string(getpid()) + "-" + std::to_string(++n));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_ / "migrations");
    if (!toml_.empty()) WriteConfig(toml_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  void WriteConfig(const std::string& toml) { std::ofstream(dir_ / "dbroll.toml") << toml; }
  // Writes migrations/<id>/up.sql and down.sql.
  void Pair(const std::string& id, const std::string& up, const std::string& down) {
    std::filesystem::create_directories(dir_ / "migrations" / id);
    std::ofstream(dir_ / "migrations" / id / "up.sql") << up;
    std::ofstream(dir_ / "migrations" / id / "down.sql") << down;
  }
  // `env dbroll -C <dir> args`: the shell command, without redirections.
  std::string DbrollCommand(const std::string& args, const std::string& env = "") const {
    return env + " '" + std::string(DBROLL_BINARY) + "' -C '" + dir_.string() + "' " + args;
  }
  // Runs `env dbroll -C <dir> args` with stdout and stderr together in out.
  CliResult Dbroll(const std::string& args, const std::string& env = "") {
    const std::filesystem::path out = dir_ / "out.txt";
    CliResult r;
    r.code = ExitCodeOf(DbrollCommand(args, env) + " >'" + out.string() + "' 2>&1");
    r.out = ReadWholeFile(out);
    return r;
  }
  // The same with stdout in out and stderr in err.
  CliResult DbrollApart(const std::string& args, const std::string& env = "") {
    const std::filesystem::path out = dir_ / "out.txt", err = dir_ / "err.txt";
    CliResult r;
    r.code = ExitCodeOf(DbrollCommand(args, env) + " >'" + out.string() + "' 2>'" + err.string() + "'");
    r.out = ReadWholeFile(out);
    r.err = ReadWholeFile(err);
    return r;
  }
  // A driver on the SQLite file `file` of the project (app.db by default).
  std::unique_ptr<Driver> OpenSqlite(const std::string& file = "app.db") {
    DriverOptions o;
    o.url = "sqlite:" + (dir_ / file).string();
    auto d = OpenDriver(o);
    EXPECT_TRUE(d.ok()) << d.status().ToString();
    return d.ok() ? std::move(d).value() : nullptr;
  }

  std::filesystem::path dir_;

 private:
  std::string toml_;
};

}  // namespace dbroll::testing

#endif  // DBROLL_TESTS_SUPPORT_CLI_PROJECT_H_
