// Reads migrations from a directory: `<version>_<name>/up.sql` pairs and
// golang-migrate's flat `<version>_<name>.up.sql` files.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "dbroll/source.h"
#include "engine/checksum.h"

namespace dbroll {
namespace {

namespace fs = std::filesystem;

struct Candidate {
  std::string version, name;
  // key: "up", "down", "up.postgres", ... -> path
  std::map<std::string, fs::path> files;
  std::string origin;  // first path that named this version, for duplicate errors
};

bool AllDigits(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string NumericPart(const std::string& v) {
  size_t i = v.find_first_not_of('0');
  return i == std::string::npos ? "0" : v.substr(i);
}

bool IsDialectWord(const std::string& s) {
  return s == "postgres" || s == "mysql" || s == "sqlite";
}

// "0001_name" -> ("0001", "name"); false when it does not start with digits.
bool SplitVersionName(const std::string& stem, std::string* version, std::string* name) {
  size_t us = stem.find('_');
  *version = stem.substr(0, us);
  *name = us == std::string::npos ? "" : stem.substr(us + 1);
  return AllDigits(*version);
}

class DirectorySource : public MigrationSource {
 public:
  DirectorySource(std::string dir, std::string display_root)
      : dir_(std::move(dir)), display_root_(std::move(display_root)) {}

  Result<std::vector<Migration>> List(Dialect dialect) override {
    std::error_code ec;
    if (!fs::is_directory(dir_, ec)) {
      return Status(Code::kInvalidArgument,
                    Display(dir_) + ": migrations directory not found -- create it with "
                                    "`dbroll init` or set [migrations] dir in dbroll.toml");
    }
    std::map<std::string, Candidate> found;  // by version text
    std::vector<fs::directory_entry> entries;
    for (const auto& e : fs::directory_iterator(dir_, ec)) entries.push_back(e);
    if (ec) return Status(Code::kInvalidArgument, Display(dir_) + ": cannot read: " + ec.message());
    std::sort(entries.begin(), entries.end(),
              [](const auto& a, const auto& b) { return a.path() < b.path(); });
    for (const auto& e : entries) {
      const std::string fname = e.path().filename().string();
      std::string version, name;
      if (e.is_directory(ec)) {
        if (!SplitVersionName(fname, &version, &name)) continue;
        // A directory with nothing in it is a migration still being written
        // (git does not even carry it); it is not a broken one.
        if (fs::is_empty(e.path(), ec)) continue;
        DBROLL_RETURN_IF_ERROR(Claim(&found, version, name, e.path(), e.path()));
        for (const auto& f : fs::directory_iterator(e.path(), ec)) {
          std::string key;
          if (!FileKeyInDir(f.path().filename().string(), &key)) continue;
          found[version].files[key] = f.path();
        }
        continue;
      }
      std::string key, stem;
      if (!FlatFile(fname, &stem, &key) || !SplitVersionName(stem, &version, &name)) continue;
      auto it = found.find(version);
      if (it != found.end() && it->second.files.count(key)) {
        return Duplicate(version, it->second.files[key], e.path());
      }
      if (it == found.end() || it->second.name != name ||
          fs::is_directory(it->second.origin, ec)) {
        DBROLL_RETURN_IF_ERROR(Claim(&found, version, name, e.path(), e.path()));
      }
      found[version].files[key] = e.path();
    }

    std::vector<Migration> out;
    out.reserve(found.size());
    const std::string dial = DialectName(dialect);
    std::vector<std::string> errors;
    for (auto& [v, c] : found) {
      auto pick = [&](const std::string& dir) -> const fs::path* {
        auto it = c.files.find(dir + "." + dial);
        if (it != c.files.end()) return &it->second;
        it = c.files.find(dir);
        return it == c.files.end() ? nullptr : &it->second;
      };
      const fs::path* up = pick("up");
      const fs::path* down = pick("down");
      if (!up && !down) {
        // Only files for other dialects: not a migration for this database.
        bool any = !c.files.empty();
        if (!any) {
          return Status(Code::kInvalidArgument,
                        Display(c.origin) + ": no up.sql or down.sql in this migration directory");
        }
        continue;
      }
      if (!up) {
        return Status(Code::kInvalidArgument,
                      Display(*down) + ": down without an up for version " + v +
                          " -- add the up.sql or remove the down");
      }
      Migration m;
      m.version = c.version;
      m.name = c.name;
      DBROLL_RETURN_IF_ERROR(ReadScript(*up, &m.up, &errors));
      if (down) {
        Script s;
        DBROLL_RETURN_IF_ERROR(ReadScript(*down, &s, &errors));
        m.down = std::move(s);
      } else if (!m.up.directives.irreversible) {
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
    std::sort(out.begin(), out.end(), [](const Migration& a, const Migration& b) {
      return CompareVersions(a.version, b.version) < 0;
    });
    for (size_t i = 1; i < out.size(); ++i) {
      if (NumericPart(out[i - 1].version) == NumericPart(out[i].version)) {
        return Status(Code::kInvalidArgument,
                      Display(out[i].up.path) + ": version " + out[i].version +
                          " is the same number as " + out[i - 1].up.path +
                          " -- give one of them a new version");
      }
    }
    return out;
  }

 private:
  Status Claim(std::map<std::string, Candidate>* found, const std::string& version,
               const std::string& name, const fs::path& origin, const fs::path& path) {
    auto it = found->find(version);
    if (it != found->end()) return Duplicate(version, it->second.origin, path);
    Candidate c;
    c.version = version;
    c.name = name;
    c.origin = origin.string();
    found->emplace(version, std::move(c));
    return Status::Ok();
  }

  Status Duplicate(const std::string& version, const fs::path& a, const fs::path& b) const {
    return Status(Code::kInvalidArgument, Display(b) + ": duplicate version " + version +
                                              " (also " + Display(a) +
                                              ") -- give one of them a new version");
  }

  // "up.sql" -> "up", "down.postgres.sql" / "up.mysql.sql" -> "down.postgres".
  static bool FileKeyInDir(const std::string& f, std::string* key) {
    if (f == "up.sql" || f == "down.sql") {
      *key = f.substr(0, f.size() - 4);
      return true;
    }
    for (const char* dir : {"up.", "down."}) {
      std::string p = dir;
      if (f.rfind(p, 0) == 0 && f.size() > p.size() + 4 && f.compare(f.size() - 4, 4, ".sql") == 0) {
        std::string d = f.substr(p.size(), f.size() - p.size() - 4);
        if (!IsDialectWord(d)) return false;
        *key = p + d;
        return true;
      }
    }
    return false;
  }

  // "0001_x.up.sql" -> stem "0001_x", key "up"; "0001_x.postgres.down.sql" -> key "down.postgres".
  static bool FlatFile(const std::string& f, std::string* stem, std::string* key) {
    for (const char* dir : {"up", "down"}) {
      std::string suffix = std::string(".") + dir + ".sql";
      if (f.size() <= suffix.size() || f.compare(f.size() - suffix.size(), suffix.size(), suffix) != 0) continue;
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

  Status ReadScript(const fs::path& p, Script* s, std::vector<std::string>* errors) const {
    std::ifstream in(p, std::ios::binary);
    if (!in) {
      return Status(Code::kInvalidArgument, Display(p) + ": cannot read file -- check its permissions");
    }
    std::ostringstream buf;
    buf << in.rdbuf();
    s->path = Display(p);
    s->text = buf.str();
    s->checksum = internal::Sha256Hex(s->text);
    std::vector<std::string> errs;
    s->directives = ParseDirectives(s->path, s->text, &errs);
    for (auto& e : errs) {
      if (e.find("dbroll:allow") == std::string::npos) errors->push_back(e);
    }
    return Status::Ok();
  }

  std::string Display(const fs::path& p) const {
    std::string s = p.lexically_normal().string();
    if (!display_root_.empty()) {
      std::string root = fs::path(display_root_).lexically_normal().string();
      if (!root.empty() && root.back() != '/') root += '/';
      if (root != "./" && s.rfind(root, 0) == 0) s = s.substr(root.size());
    }
    return s;
  }

  std::string dir_;
  std::string display_root_;
};

}  // namespace

std::unique_ptr<MigrationSource> MigrationSource::Directory(std::string dir,
                                                            std::string display_root) {
  return std::make_unique<DirectorySource>(std::move(dir), std::move(display_root));
}

}  // namespace dbroll
