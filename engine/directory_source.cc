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
#include <set>

#include "dbroll/source.h"
#include "engine/checksum.h"
#include "engine/directory_source.h"
#include "engine/layouts.h"

namespace dbroll {
namespace {

// Orders by version value only, so "0004" and "4" (or Flyway's "1" and
// "1.0") are the same key.
struct VersionLess {
  bool operator()(const std::string& a, const std::string& b) const { return CompareVersionValues(a, b) < 0; }
};

struct Candidate {
  std::string version, name;
  std::map<std::string, std::string> files;  // "up", "down.postgres", ... -> path
  std::map<std::string, std::string> texts;  // key -> text, when read while listing
  std::set<std::string> no_transaction;      // keys whose file runs outside a transaction
  std::string origin;                        // first path that named this version
  bool is_dir = false;
  bool flyway = false;  // an up without an undo file is irreversible, as in Flyway
};

bool AllDigits(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// The dialect a file-name word selects ("sqlite3" is popx's "sqlite"), or "".
// "cockroach" files are recognised and never chosen: dbroll has no such dialect.
std::string DialectOfWord(const std::string& s) {
  if (s == "postgres" || s == "mysql" || s == "sqlite" || s == "cockroach") return s;
  if (s == "sqlite3") return "sqlite";
  return "";
}

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

// diesel's "2024-01-01-000000": digits and dashes, first and last a digit.
// The version is the digits ("20240101000000"), as diesel records it.
bool DieselVersion(const std::string& v, std::string* digits) {
  if (v.empty() || v.front() == '-' || v.back() == '-' || v.find('-') == std::string::npos) return false;
  std::string d;
  for (char c : v) {
    if (c >= '0' && c <= '9') d += c;
    else if (c != '-') return false;
  }
  *digits = d;
  return true;
}

// "0001_x.up.sql" -> stem "0001_x", key "up"; "0001_x.postgres.down.sql" ->
// key "down.postgres"; popx's "0001_x.sqlite3.autocommit.up.sql" and dbroll's
// "0001_x.notx.up.sql" also set *no_tx.
bool FlatFile(const std::string& f, std::string* stem, std::string* key, bool* no_tx) {
  *no_tx = false;
  for (const char* dir : {"up", "down"}) {
    const std::string suffix = std::string(".") + dir + ".sql";
    if (f.size() <= suffix.size() || !EndsWith(f, suffix)) continue;
    std::string rest = f.substr(0, f.size() - suffix.size());
    *key = dir;
    bool dialect_seen = false;
    for (int i = 0; i < 2; ++i) {
      size_t dot = rest.rfind('.');
      if (dot == std::string::npos) break;
      const std::string word = rest.substr(dot + 1);
      if (!*no_tx && (word == "autocommit" || word == "notx")) {
        *no_tx = true;
      } else if (!dialect_seen && !DialectOfWord(word).empty()) {
        *key = std::string(dir) + "." + DialectOfWord(word);
        dialect_seen = true;
      } else {
        break;
      }
      rest = rest.substr(0, dot);
    }
    *stem = rest;
    return true;
  }
  return false;
}

// diesel's metadata.toml `run_in_transaction = false`.
bool DieselNoTransaction(const std::string& text) {
  size_t at = text.find("run_in_transaction");
  if (at == std::string::npos) return false;
  size_t eq = text.find('=', at);
  if (eq == std::string::npos) return false;
  size_t v = text.find_first_not_of(" \t", eq + 1);
  return v != std::string::npos && text.compare(v, 5, "false") == 0;
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
// control characters. `diesel`: the version may be diesel's dashed timestamp.
bool ValidStem(const std::string& stem, bool diesel = false) {
  std::string version, name, digits;
  SplitVersionName(stem, &version, &name);
  if (!(AllDigits(version) || (diesel && DieselVersion(version, &digits))) ||
      stem.find('_') == std::string::npos || name.empty()) {
    return false;
  }
  return std::none_of(name.begin(), name.end(), [](char c) {
    const unsigned char u = static_cast<unsigned char>(c);
    return u <= 0x20 || u == 0x7f;
  });
}

// A single-file migration's name: leading digits (the version), then `_` or
// `-` and a name, then `.sql` -- dbmate and sql-migrate take the leading
// digits as the version whatever follows; goose writes `<version>_<name>`.
bool SingleFileName(const std::string& file, std::string* version, std::string* name) {
  if (!EndsWith(file, ".sql")) return false;
  const std::string stem = file.substr(0, file.size() - 4);
  size_t digits = 0;
  while (digits < stem.size() && stem[digits] >= '0' && stem[digits] <= '9') ++digits;
  if (digits == 0) return false;
  *version = stem.substr(0, digits);
  if (digits == stem.size()) {
    name->clear();
    return true;
  }
  if (stem[digits] != '_' && stem[digits] != '-') return false;
  *name = stem.substr(digits + 1);
  return !name->empty() && std::none_of(name->begin(), name->end(), [](char c) {
    const unsigned char u = static_cast<unsigned char>(c);
    return u <= 0x20 || u == 0x7f;
  });
}

constexpr const char* kExpectedForm =
    " -- a migration is <digits>_<name>/ holding up.sql and down.sql, or <digits>_<name>.up.sql and "
    "<digits>_<name>.down.sql (e.g. 0002_add_users); rename it, or move it out of the migrations directory";

using internal::Layout;

// The form of one entry; a directory holds the forms of one family only.
enum class Form { kDir, kFlat, kDbmate, kGoose, kSqlMigrate, kFlyway };

const char* FamilyName(Form f) {
  switch (f) {
    case Form::kDir:
    case Form::kFlat: return "dbroll / golang-migrate / popx / diesel";
    case Form::kDbmate: return "dbmate";
    case Form::kGoose: return "goose";
    case Form::kSqlMigrate: return "sql-migrate";
    case Form::kFlyway: return "Flyway";
  }
  return "?";
}

int FamilyOf(Form f) { return f == Form::kFlat ? static_cast<int>(Form::kDir) : static_cast<int>(f); }

bool LayoutAllows(Layout layout, Form f) {
  switch (layout) {
    case Layout::kAuto: return true;
    case Layout::kDbroll: return f == Form::kDir || f == Form::kFlat;
    case Layout::kGolangMigrate:
    case Layout::kPopx: return f == Form::kFlat;
    case Layout::kDiesel: return f == Form::kDir;
    case Layout::kDbmate: return f == Form::kDbmate;
    case Layout::kGoose: return f == Form::kGoose;
    case Layout::kSqlMigrate: return f == Form::kSqlMigrate;
    case Layout::kFlyway: return f == Form::kFlyway;
  }
  return false;
}

const char* LayoutForm(Layout layout) {
  switch (layout) {
    case Layout::kAuto:
    case Layout::kDbroll:
      return "<version>_<name>/ with up.sql and down.sql, or <version>_<name>.up.sql and .down.sql";
    case Layout::kGolangMigrate: return "<version>_<name>.up.sql and <version>_<name>.down.sql";
    case Layout::kPopx: return "<version>_<name>[.<dialect>][.autocommit].up.sql and .down.sql";
    case Layout::kDiesel: return "<yyyy-mm-dd-hhmmss>_<name>/ with up.sql and down.sql";
    case Layout::kDbmate: return "<version>_<name>.sql with -- migrate:up and -- migrate:down";
    case Layout::kGoose: return "<version>_<name>.sql with -- +goose Up and -- +goose Down";
    case Layout::kSqlMigrate: return "<version>_<name>.sql with -- +migrate Up and -- +migrate Down";
    case Layout::kFlyway: return "V<version>__<desc>.sql, with U<version>__<desc>.sql as its undo";
  }
  return "?";
}

Form FormOfTool(Layout tool) {
  return tool == Layout::kDbmate ? Form::kDbmate : tool == Layout::kGoose ? Form::kGoose : Form::kSqlMigrate;
}

class DirectorySource : public MigrationSource {
 public:
  DirectorySource(std::string dir, std::string display_root, bool require_down, DirectoryOptions options)
      : dir_(std::move(dir)), require_down_(require_down), options_(std::move(options)) {
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
    const std::optional<Layout> layout = internal::ParseLayout(options_.layout.empty() ? "auto" : options_.layout);
    if (!layout) {
      return Status(Code::kInvalidArgument, "[migrations] layout = \"" + options_.layout +
                                                "\" is not a layout dbroll reads -- use one of " +
                                                internal::LayoutNames() + " in dbroll.toml");
    }
    layout_ = *layout;
    seen_.clear();
    std::vector<Entry> entries;
    struct stat st;
    if (::stat(dir_.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
      return Status(Code::kInvalidArgument,
                    display_dir_ + ": migrations directory not found -- create it "
                                   "or set [migrations] dir in dbroll.toml")
          .set_remedy(Remedy::kInitProject);
    }
    if (!ListDir(dir_, &entries)) {
      return Status(Code::kInvalidArgument, display_dir_ + ": cannot read: " + std::strerror(errno));
    }
    Found found;  // version order, "0004" == "4"
    const std::string dial = DialectName(dialect);
    for (const auto& e : entries) {
      if (Ignorable(e.name) || internal::IsRepeatableEntry(e.name, e.kind == EntryKind::kDir)) continue;
      if (e.kind == EntryKind::kDangling) {
        return Status(Code::kInvalidArgument, Display(e.name) + ": a symbolic link to nothing -- fix or remove it");
      }
      if (e.kind == EntryKind::kOther) {
        return Status(Code::kInvalidArgument, Display(e.name) + ": " + e.other +
                                                  ", not a migration -- remove it from the migrations directory");
      }
      if (e.kind == EntryKind::kDir) {
        DBROLL_RETURN_IF_ERROR(AddDirectory(e.name, dial, &found));
      } else {
        DBROLL_RETURN_IF_ERROR(AddFile(e.name, &found));
      }
    }
    return Build(dial, &found);
  }

 private:
  using Found = std::map<std::string, Candidate, VersionLess>;

  // Refuses an entry of a form the layout does not hold, or of another
  // tool's family than the entries before it.
  Status Admit(Form form, const std::string& entry) {
    if (!LayoutAllows(layout_, form)) {
      return Status(Code::kInvalidArgument,
                    Display(entry) + ": not a " + internal::LayoutName(layout_) + " migration (" +
                        LayoutForm(layout_) + ") -- [migrations] layout in dbroll.toml says this directory holds " +
                        internal::LayoutName(layout_) + " migrations; rename or move the file, or change the layout");
    }
    for (const auto& [family, first] : seen_) {
      if (family != FamilyOf(form)) {
        return Status(Code::kInvalidArgument,
                      Display(entry) + ": a " + FamilyName(form) + " migration in the same directory as " +
                          Display(first.second) + " (" + FamilyName(first.first) +
                          ") -- one migrations directory holds one tool's layout; move one of them out");
      }
    }
    seen_.emplace(FamilyOf(form), std::make_pair(form, entry));
    return Status::Ok();
  }

  Status AddDirectory(const std::string& entry, const std::string& dial, Found* found) {
    if (!ValidStem(entry, /*diesel=*/true)) {
      return Status(Code::kInvalidArgument, Display(entry) + "/: not a migration directory name" + kExpectedForm);
    }
    std::string version, name, digits;
    SplitVersionName(entry, &version, &name);
    if (DieselVersion(version, &digits)) version = digits;
    // Open the names this dialect can use rather than listing the
    // directory: fewer system calls, and the text is read once. A
    // directory with none of them (empty: a migration still being
    // written; or files for other dialects only) is not a migration here.
    std::map<std::string, std::string> picked;  // key -> text
    for (const char* dir : {"up", "down"}) {
      for (const std::string& key : {std::string(dir) + "." + dial, std::string(dir)}) {
        std::string text, why;
        const Read r = ReadFile(dir_ + "/" + entry + "/" + key + ".sql", &text, &why);
        if (r == Read::kAbsent) continue;
        if (r == Read::kError) {
          return Status(Code::kInvalidArgument, Display(entry + "/" + key + ".sql") + ": " + why +
                                                    " -- fix it; dbroll never skips or replaces an unreadable "
                                                    "migration file");
        }
        picked.emplace(key, std::move(text));
        break;
      }
    }
    if (picked.empty()) return Status::Ok();
    DBROLL_RETURN_IF_ERROR(Admit(Form::kDir, entry));
    DBROLL_RETURN_IF_ERROR(Claim(found, version, name, entry, true));
    Candidate& c = found->find(version)->second;
    for (auto& [key, text] : picked) c.files[key] = entry + "/" + key + ".sql";
    c.texts = std::move(picked);
    std::string meta, why;
    if (ReadFile(dir_ + "/" + entry + "/metadata.toml", &meta, &why) == Read::kOk && DieselNoTransaction(meta)) {
      for (const auto& [key, path] : c.files) c.no_transaction.insert(key);
    }
    return Status::Ok();
  }

  Status AddFile(const std::string& entry, Found* found) {
    std::string version, name, key, stem;
    bool no_tx = false;
    char kind = 0;
    if (internal::ParseFlywayName(entry, &kind, &version, &name)) {
      DBROLL_RETURN_IF_ERROR(Admit(Form::kFlyway, entry));
      key = kind == 'V' ? "up" : "down";
      auto it = found->find(version);
      if (it == found->end()) {
        DBROLL_RETURN_IF_ERROR(Claim(found, version, name, entry, false));
        it = found->find(version);
      } else if (it->second.files.count(key)) {
        return Duplicate(version, it->second.files[key], entry);
      }
      if (kind == 'V') it->second.name = name;
      it->second.flyway = true;
      it->second.files[key] = entry;
      return Status::Ok();
    }
    if (FlatFile(entry, &stem, &key, &no_tx) && ValidStem(stem)) {
      DBROLL_RETURN_IF_ERROR(Admit(Form::kFlat, entry));
      SplitVersionName(stem, &version, &name);
      auto it = found->find(version);
      if (it == found->end()) {
        DBROLL_RETURN_IF_ERROR(Claim(found, version, name, entry, false));
        it = found->find(version);
      } else if (it->second.is_dir || it->second.version != version || it->second.files.count(key)) {
        // Up and down pair by version as golang-migrate pairs them; their
        // names may differ (dbroll lint warns). Two ups of one version never pair.
        if (it->second.version != version) {
          return Status(Code::kInvalidArgument, Display(entry) + ": version " + version + " is the same number as " +
                                                    Display(it->second.origin) + " -- give one of them a new version");
        }
        return Duplicate(version, it->second.files.count(key) ? it->second.files[key] : it->second.origin, entry);
      }
      Candidate& c = it->second;
      if (key.rfind("up", 0) == 0) c.name = name;
      c.files[key] = entry;
      if (no_tx) c.no_transaction.insert(key);
      return Status::Ok();
    }
    if (SingleFileName(entry, &version, &name)) {
      std::string text, why;
      if (ReadFile(dir_ + "/" + entry, &text, &why) != Read::kOk) {
        return Status(Code::kInvalidArgument, Display(entry) + ": " + why + " -- fix it and run dbroll again");
      }
      Layout tool = layout_;
      if (tool != Layout::kDbmate && tool != Layout::kGoose && tool != Layout::kSqlMigrate) {
        tool = internal::DetectSingleFileTool(text);
      }
      if (tool == Layout::kAuto && layout_ == Layout::kAuto) {
        return Status(Code::kInvalidArgument,
                      Display(entry) + ": not a migration file -- a migration is one <version>_<name>.sql file only "
                                       "with the sections of dbmate (-- migrate:up / -- migrate:down), goose (-- +goose "
                                       "Up / Down) or sql-migrate (-- +migrate Up / Down), or <digits>_<name>/ holding "
                                       "up.sql and down.sql, or <digits>_<name>.up.sql and .down.sql; add the sections, "
                                       "rename it, or move it out of the migrations directory (README*, *.md, *.txt and "
                                       "dotfiles are ignored)");
      }
      DBROLL_RETURN_IF_ERROR(Admit(tool == Layout::kAuto ? Form::kDbmate : FormOfTool(tool), entry));
      auto split = internal::SplitSingleFile(tool, Display(entry), text);
      if (!split.ok()) return Status(Code::kInvalidArgument, split.status().message() + " -- fix the file and run dbroll again");
      DBROLL_RETURN_IF_ERROR(Claim(found, version, name, entry, false));
      Candidate& c = found->find(version)->second;
      c.files["up"] = entry;
      c.texts["up"] = std::move(split->up);
      if (split->up_no_transaction) c.no_transaction.insert("up");
      c.files["down"] = entry;
      c.texts["down"] = std::move(*split->down);
      if (split->down_no_transaction) c.no_transaction.insert("down");
      return Status::Ok();
    }
    if (layout_ != Layout::kAuto) {
      return Status(Code::kInvalidArgument,
                    Display(entry) + ": not a " + internal::LayoutName(layout_) + " migration (" + LayoutForm(layout_) +
                        ") -- rename it, or move it out of the migrations directory (README*, *.md, *.txt and "
                        "dotfiles are ignored)");
    }
    return Status(Code::kInvalidArgument, Display(entry) + ": not a migration file" + kExpectedForm +
                                              " (README*, *.md, *.txt and dotfiles are ignored; dbmate, goose, "
                                              "sql-migrate, Flyway and diesel layouts are read too: docs/guide.md)");
  }

  Result<std::vector<Migration>> Build(const std::string& dial, Found* found) const {
    std::vector<Migration> out;
    out.reserve(found->size());
    std::vector<std::string> errors;
    for (auto& [v, c] : *found) {
      std::string* up_text = nullptr;
      std::string* down_text = nullptr;
      auto pick = [&](const std::string& dir, std::string** text, bool* no_tx) -> const std::string* {
        for (const std::string& key : {dir + "." + dial, dir}) {
          auto it = c.files.find(key);
          if (it == c.files.end()) continue;
          auto t = c.texts.find(key);
          *text = t == c.texts.end() ? nullptr : &t->second;
          *no_tx = c.no_transaction.count(key) > 0;
          return &it->second;
        }
        return nullptr;
      };
      bool up_no_tx = false, down_no_tx = false;
      const std::string* up = pick("up", &up_text, &up_no_tx);
      const std::string* down = pick("down", &down_text, &down_no_tx);
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
      const bool config_no_tx = std::any_of(options_.no_transaction.begin(), options_.no_transaction.end(),
                                            [&](const std::string& n) { return CompareVersionValues(n, c.version) == 0; });
      Migration m;
      m.version = c.version;
      m.name = c.name;
      DBROLL_RETURN_IF_ERROR(ReadScript(*up, up_text, &m.up, &errors));
      if (up_no_tx || config_no_tx) m.up.directives.no_transaction = true;
      if (down) {
        Script s;
        DBROLL_RETURN_IF_ERROR(ReadScript(*down, down_text, &s, &errors));
        if (down_no_tx || config_no_tx) s.directives.no_transaction = true;
        m.down = std::move(s);
      } else if (c.flyway && !m.up.directives.irreversible) {
        // Flyway runs a versioned migration without an undo file; it cannot be undone.
        m.up.directives.irreversible = "Flyway migration without an undo file U" + c.version + "__" + c.name + ".sql";
      } else if (require_down_ && !m.up.directives.irreversible) {
        return Status(Code::kInvalidArgument,
                      Display(*up) + ": up without a down for version " + v +
                          " -- add down.sql, or mark the up `-- dbroll:irreversible <reason>`");
      }
      out.push_back(std::move(m));
    }
    for (const std::string& n : options_.no_transaction) {
      if (found->find(n) == found->end()) {
        return Status(Code::kInvalidArgument, "[migrations] no_transaction lists version " + n + ", which no migration in " +
                                                  display_dir_ + " has -- fix the version in dbroll.toml");
      }
    }
    if (!errors.empty()) {
      std::string msg = errors.front();
      for (size_t i = 1; i < errors.size(); ++i) msg += "\n" + errors[i];
      return Status(Code::kInvalidArgument, msg + " -- fix the directive and run dbroll again");
    }
    return out;
  }

  Status Claim(Found* found, const std::string& version,
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
  DirectoryOptions options_;
  Layout layout_ = Layout::kAuto;
  std::map<int, std::pair<Form, std::string>> seen_;  // family -> (form, first entry)
};

}  // namespace

std::unique_ptr<MigrationSource> MigrationSource::Directory(std::string dir, std::string display_root,
                                                            DirectoryOptions options) {
  return std::make_unique<DirectorySource>(std::move(dir), std::move(display_root), /*require_down=*/true,
                                           std::move(options));
}

namespace internal {

bool IsRepeatableEntry(const std::string& name, bool is_dir) {
  if (is_dir) return name == "repeatable";
  return name.size() > 7 && name.rfind("R__", 0) == 0 && EndsWith(name, ".sql");
}

Result<std::vector<Migration>> ListMigrationDirectory(const std::string& dir, const std::string& display_root,
                                                      Dialect dialect, bool require_down,
                                                      const DirectoryOptions& options) {
  return DirectorySource(dir, display_root, require_down, options).List(dialect);
}

}  // namespace internal

}  // namespace dbroll
