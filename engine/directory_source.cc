// Reads migrations from a directory: `<version>_<name>/up.sql` pairs and
// golang-migrate's flat `<version>_<name>.up.sql` files.
//
// Plain POSIX calls and strings rather than std::filesystem: `dbroll status`
// on 10,000 versions reads 20,000 files, and path objects cost more than the I/O.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>

#include "dbroll/source.h"
#include "engine/checksum.h"
#include "engine/directory_source.h"
#include "engine/repeatable.h"

namespace dbroll {
namespace {

// Orders by numeric value only, so "0004" and "4" are the same key.
struct NumericLess {
  bool operator()(const std::string& a, const std::string& b) const {
    size_t ia = a.find_first_not_of('0'), ib = b.find_first_not_of('0');
    std::string_view na = ia == std::string::npos ? "" : std::string_view(a).substr(ia);
    std::string_view nb = ib == std::string::npos ? "" : std::string_view(b).substr(ib);
    return na.size() != nb.size() ? na.size() < nb.size() : na < nb;
  }
};

struct Candidate {
  std::string version, name;
  std::map<std::string, std::string> files;  // "up", "down.postgres", ... -> path
  std::map<std::string, std::string> texts;  // key -> text, when read while listing
  std::string origin;                        // first path that named this version
  bool is_dir = false;
};

bool AllDigits(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool IsDialectWord(const std::string& s) { return s == "postgres" || s == "mysql" || s == "sqlite"; }

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// "0001_name" -> ("0001", "name"); false when it does not start with digits.
bool SplitVersionName(const std::string& stem, std::string* version, std::string* name) {
  size_t us = stem.find('_');
  *version = stem.substr(0, us);
  *name = us == std::string::npos ? "" : stem.substr(us + 1);
  return AllDigits(*version);
}

// "0001_x.up.sql" -> stem "0001_x", key "up"; "0001_x.postgres.down.sql" -> key "down.postgres".
bool FlatFile(const std::string& f, std::string* stem, std::string* key) {
  for (const char* dir : {"up", "down"}) {
    const std::string suffix = std::string(".") + dir + ".sql";
    if (f.size() <= suffix.size() || !EndsWith(f, suffix)) continue;
    std::string rest = f.substr(0, f.size() - suffix.size());
    *key = dir;
    size_t dot = rest.rfind('.');
    if (dot != std::string::npos && IsDialectWord(rest.substr(dot + 1))) {
      *key = std::string(dir) + "." + rest.substr(dot + 1);
      rest = rest.substr(0, dot);
    }
    *stem = rest;
    return true;
  }
  return false;
}

enum class EntryKind { kDir, kFile, kDangling, kOther };

struct Entry {
  std::string name;
  EntryKind kind;
  std::string other;  // kOther: "FIFO", "socket", ...
};

std::string KindOf(mode_t m) {
  if (S_ISFIFO(m)) return "a FIFO";
  if (S_ISSOCK(m)) return "a socket";
  if (S_ISCHR(m)) return "a character device";
  if (S_ISBLK(m)) return "a block device";
  if (S_ISDIR(m)) return "a directory";
  return "an unknown kind of file";
}

// Sorted entries of `dir` (without . and ..); false when it cannot be read.
// Symbolic links are followed; one that points nowhere is kDangling.
bool ListDir(const std::string& dir, std::vector<Entry>* out) {
  DIR* d = ::opendir(dir.c_str());
  if (!d) return false;
  errno = 0;
  while (dirent* e = ::readdir(d)) {
    if (e->d_name[0] == '.' && (e->d_name[1] == 0 || (e->d_name[1] == '.' && e->d_name[2] == 0))) continue;
    Entry entry{e->d_name, EntryKind::kFile, ""};
    if (e->d_type == DT_DIR) {
      entry.kind = EntryKind::kDir;
    } else if (e->d_type == DT_REG) {
      entry.kind = EntryKind::kFile;
    } else {
      struct stat st;
      if (::stat((dir + "/" + e->d_name).c_str(), &st) != 0) {
        entry.kind = EntryKind::kDangling;
      } else if (S_ISDIR(st.st_mode)) {
        entry.kind = EntryKind::kDir;
      } else if (S_ISREG(st.st_mode)) {
        entry.kind = EntryKind::kFile;
      } else {
        entry.kind = EntryKind::kOther;
        entry.other = KindOf(st.st_mode);
      }
    }
    out->push_back(std::move(entry));
    errno = 0;
  }
  const int err = errno;
  ::closedir(d);
  if (err != 0) return false;
  std::sort(out->begin(), out->end(), [](const Entry& a, const Entry& b) { return a.name < b.name; });
  return true;
}

enum class Read { kOk, kAbsent, kError };

// Reads a whole regular file. kAbsent only when no such name exists; a
// dangling link, a permission problem, a FIFO or a device is kError with the
// reason in *why -- never "absent", so a broken up.sqlite.sql never falls
// back to up.sql. O_NONBLOCK: opening a FIFO must not wait for a writer.
Read ReadFile(const std::string& path, std::string* out, std::string* why) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) {
    const int err = errno;
    struct stat st;
    if (err == ENOENT && ::lstat(path.c_str(), &st) != 0) return Read::kAbsent;
    *why = err == ENOENT ? "a symbolic link to a file that does not exist"
                         : std::string("cannot open: ") + std::strerror(err);
    return Read::kError;
  }
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    *why = std::string("cannot stat: ") + std::strerror(errno);
    ::close(fd);
    return Read::kError;
  }
  if (!S_ISREG(st.st_mode)) {
    *why = KindOf(st.st_mode) + ", not a regular file";
    ::close(fd);
    return Read::kError;
  }
  // Read until the size fstat gave: a read may return less than asked at
  // any point, and only a 0 before that size is an (unexpected) end.
  const size_t size = static_cast<size_t>(st.st_size);
  out->resize(size);
  size_t got = 0;
  while (got < size) {
    const ssize_t n = ::read(fd, out->data() + got, size - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      *why = std::string("cannot read: ") + std::strerror(errno);
      ::close(fd);
      return Read::kError;
    }
    if (n == 0) {
      *why = "the file shrank while it was read";
      ::close(fd);
      return Read::kError;
    }
    got += static_cast<size_t>(n);
  }
  ::close(fd);
  return Read::kOk;
}

// Files dbroll ignores in the migrations directory (docs/guide.md lists them).
bool Ignorable(const std::string& f) {
  if (f.empty() || f[0] == '.') return true;  // .gitkeep, .DS_Store, editor files
  if (f.rfind("README", 0) == 0 || f.rfind("readme", 0) == 0) return true;
  if (f.rfind("LICENSE", 0) == 0 || f == "dbroll.toml") return true;
  return EndsWith(f, ".md") || EndsWith(f, ".txt") || EndsWith(f, "~");
}

// "<digits>_<name>": a name of at least one character, without spaces or
// control characters.
bool ValidStem(const std::string& stem) {
  std::string version, name;
  if (!SplitVersionName(stem, &version, &name) || stem.find('_') == std::string::npos || name.empty()) {
    return false;
  }
  return std::none_of(name.begin(), name.end(), [](char c) {
    const unsigned char u = static_cast<unsigned char>(c);
    return u <= 0x20 || u == 0x7f;
  });
}

constexpr const char* kExpectedForm =
    " -- a migration is <digits>_<name>/ holding up.sql and down.sql, or <digits>_<name>.up.sql and "
    "<digits>_<name>.down.sql (e.g. 0002_add_users); rename it, or move it out of the migrations directory";

class DirectorySource : public MigrationSource {
 public:
  DirectorySource(std::string dir, std::string display_root, bool require_down)
      : dir_(std::move(dir)), require_down_(require_down) {
    while (dir_.size() > 1 && dir_.back() == '/') dir_.pop_back();
    display_dir_ = dir_;
    std::string root = display_root;
    while (root.size() > 1 && root.back() == '/') root.pop_back();
    if (!root.empty() && root != "." && display_dir_.rfind(root + "/", 0) == 0) {
      display_dir_ = display_dir_.substr(root.size() + 1);
    }
    if (display_dir_.rfind("./", 0) == 0) display_dir_ = display_dir_.substr(2);
  }

  Result<std::vector<Migration>> List(Dialect dialect) override {
    std::vector<Entry> entries;
    struct stat st;
    if (::stat(dir_.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
      return Status(Code::kInvalidArgument,
                    display_dir_ + ": migrations directory not found -- create it with "
                                   "`dbroll init` or set [migrations] dir in dbroll.toml");
    }
    if (!ListDir(dir_, &entries)) {
      return Status(Code::kInvalidArgument, display_dir_ + ": cannot read: " + std::strerror(errno));
    }
    std::map<std::string, Candidate, NumericLess> found;  // numeric order, "0004" == "4"
    const std::string dial = DialectName(dialect);
    for (const auto& e : entries) {
      std::string version, name;
      if (Ignorable(e.name) || internal::IsRepeatableMigrationEntry(e.name, e.kind == EntryKind::kDir)) continue;
      if (e.kind == EntryKind::kDangling) {
        return Status(Code::kInvalidArgument, Display(e.name) + ": a symbolic link to nothing -- fix or remove it");
      }
      if (e.kind == EntryKind::kOther) {
        return Status(Code::kInvalidArgument, Display(e.name) + ": " + e.other +
                                                  ", not a migration -- remove it from the migrations directory");
      }
      if (e.kind == EntryKind::kDir) {
        if (!ValidStem(e.name)) {
          return Status(Code::kInvalidArgument, Display(e.name) + "/: not a migration directory name" + kExpectedForm);
        }
        SplitVersionName(e.name, &version, &name);
        // Open the names this dialect can use rather than listing the
        // directory: fewer system calls, and the text is read once. A
        // directory with none of them (empty: a migration still being
        // written; or files for other dialects only) is not a migration here.
        std::map<std::string, std::string> picked;  // key -> text
        for (const char* dir : {"up", "down"}) {
          for (const std::string& key : {std::string(dir) + "." + dial, std::string(dir)}) {
            std::string text, why;
            const Read r = ReadFile(dir_ + "/" + e.name + "/" + key + ".sql", &text, &why);
            if (r == Read::kAbsent) continue;
            if (r == Read::kError) {
              return Status(Code::kInvalidArgument, Display(e.name + "/" + key + ".sql") + ": " + why +
                                                        " -- fix it; dbroll never skips or replaces an unreadable "
                                                        "migration file");
            }
            picked.emplace(key, std::move(text));
            break;
          }
        }
        if (picked.empty()) continue;
        DBROLL_RETURN_IF_ERROR(Claim(&found, version, name, e.name, true));
        Candidate& c = found.find(version)->second;
        for (auto& [key, text] : picked) c.files[key] = e.name + "/" + key + ".sql";
        c.texts = std::move(picked);
        continue;
      }
      std::string key, stem;
      if (!FlatFile(e.name, &stem, &key) || !ValidStem(stem)) {
        return Status(Code::kInvalidArgument, Display(e.name) + ": not a migration file" + kExpectedForm +
                                                  " (README*, *.md, *.txt and dotfiles are ignored)");
      }
      SplitVersionName(stem, &version, &name);
      auto it = found.find(version);
      if (it != found.end()) {
        Candidate& c = it->second;
        if (c.is_dir || c.name != name || c.version != version || c.files.count(key)) {
          return Duplicate(version, c.origin, e.name);
        }
        c.files[key] = e.name;
        continue;
      }
      DBROLL_RETURN_IF_ERROR(Claim(&found, version, name, e.name, false));
      found.find(version)->second.files[key] = e.name;
    }

    std::vector<Migration> out;
    out.reserve(found.size());
    std::vector<std::string> errors;
    for (auto& [v, c] : found) {
      std::string* up_text = nullptr;
      std::string* down_text = nullptr;
      auto pick = [&](const std::string& dir, std::string** text) -> const std::string* {
        for (const std::string& key : {dir + "." + dial, dir}) {
          auto it = c.files.find(key);
          if (it == c.files.end()) continue;
          auto t = c.texts.find(key);
          *text = t == c.texts.end() ? nullptr : &t->second;
          return &it->second;
        }
        return nullptr;
      };
      const std::string* up = pick("up", &up_text);
      const std::string* down = pick("down", &down_text);
      if (!up && !down) {
        if (c.files.empty()) {
          return Status(Code::kInvalidArgument,
                        Display(c.origin) + ": no up.sql or down.sql in this migration directory");
        }
        continue;  // only files for other dialects
      }
      if (!up) {
        return Status(Code::kInvalidArgument, Display(*down) + ": down without an up for version " + v +
                                                  " -- add the up.sql or remove the down");
      }
      Migration m;
      m.version = c.version;
      m.name = c.name;
      DBROLL_RETURN_IF_ERROR(ReadScript(*up, up_text, &m.up, &errors));
      if (down) {
        Script s;
        DBROLL_RETURN_IF_ERROR(ReadScript(*down, down_text, &s, &errors));
        m.down = std::move(s);
      } else if (require_down_ && !m.up.directives.irreversible) {
        return Status(Code::kInvalidArgument,
                      Display(*up) + ": up without a down for version " + v +
                          " -- add down.sql, or mark the up `-- dbroll:irreversible <reason>`");
      }
      out.push_back(std::move(m));
    }
    if (!errors.empty()) {
      std::string msg = errors.front();
      for (size_t i = 1; i < errors.size(); ++i) msg += "\n" + errors[i];
      return Status(Code::kInvalidArgument, msg + " -- fix the directive and run dbroll again");
    }
    return out;
  }

 private:
  Status Claim(std::map<std::string, Candidate, NumericLess>* found, const std::string& version,
               const std::string& name, const std::string& origin, bool is_dir) {
    auto it = found->find(version);
    if (it != found->end()) {
      if (it->second.version != version) {
        return Status(Code::kInvalidArgument,
                      Display(origin) + ": version " + version + " is the same number as " +
                          Display(it->second.origin) + " -- give one of them a new version");
      }
      return Duplicate(version, it->second.origin, origin);
    }
    Candidate c;
    c.version = version;
    c.name = name;
    c.origin = origin;
    c.is_dir = is_dir;
    found->emplace(version, std::move(c));
    return Status::Ok();
  }

  Status Duplicate(const std::string& version, const std::string& a, const std::string& b) const {
    return Status(Code::kInvalidArgument, Display(b) + ": duplicate version " + version + " (also " +
                                              Display(a) + ") -- give one of them a new version");
  }

  // `preloaded`: the file's text when it was already read (moved from).
  Status ReadScript(const std::string& rel, std::string* preloaded, Script* s,
                    std::vector<std::string>* errors) const {
    s->path = Display(rel);
    std::string why;
    if (preloaded) {
      s->text = std::move(*preloaded);
    } else if (ReadFile(dir_ + "/" + rel, &s->text, &why) != Read::kOk) {
      if (why.empty()) why = "it disappeared while migrations were listed";
      return Status(Code::kInvalidArgument, s->path + ": " + why + " -- fix it and run dbroll again");
    }
    s->checksum = internal::Sha256Hex(s->text);
    // Most files carry no directive: skip the line-by-line parse for them.
    if (s->text.find("dbroll:") == std::string::npos) return Status::Ok();
    std::vector<std::string> errs;
    s->directives = ParseDirectives(s->path, s->text, &errs);
    for (auto& e : errs) {
      if (e.find("dbroll:allow") == std::string::npos) errors->push_back(e);
    }
    return Status::Ok();
  }

  std::string Display(const std::string& rel) const { return display_dir_ + "/" + rel; }

  std::string dir_;
  std::string display_dir_;
  bool require_down_;
};

}  // namespace

std::unique_ptr<MigrationSource> MigrationSource::Directory(std::string dir, std::string display_root) {
  return std::make_unique<DirectorySource>(std::move(dir), std::move(display_root), /*require_down=*/true);
}

namespace internal {

Result<std::vector<Migration>> ListMigrationDirectory(const std::string& dir, const std::string& display_root,
                                                      Dialect dialect, bool require_down) {
  return DirectorySource(dir, display_root, require_down).List(dialect);
}

}  // namespace internal

}  // namespace dbroll
