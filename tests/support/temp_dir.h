// Temporary directories for tests: made under $TMPDIR (or /tmp), removed
// again, so a test run leaves nothing behind (the tmp_guard test checks).
#ifndef DBROLL_TESTS_SUPPORT_TEMP_DIR_H_
#define DBROLL_TESTS_SUPPORT_TEMP_DIR_H_

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <system_error>

namespace dbroll::testing {

// A fresh directory named dbroll-<tag>-XXXXXX, removed with all it holds
// when the object dies -- only by the process that made it, so a forked
// child that exits never takes it from its parent.
class TempDir {
 public:
  explicit TempDir(const std::string& tag) : owner_(::getpid()) {
    std::string tmpl = (std::filesystem::temp_directory_path() / ("dbroll-" + tag + "-XXXXXX")).string();
    if (::mkdtemp(tmpl.data()) == nullptr) std::abort();
    path_ = tmpl;
  }
  ~TempDir() {
    if (::getpid() != owner_) return;
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
  pid_t owner_;
};

// One directory for the whole test process, removed when it exits.
inline const std::filesystem::path& ProcessTempDir() {
  static TempDir dir("test");
  return dir.path();
}

}  // namespace dbroll::testing

#endif  // DBROLL_TESTS_SUPPORT_TEMP_DIR_H_
