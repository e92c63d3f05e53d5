// Migration discovery for the linter: the engine's directory lister, with one
// difference that matters -- a missing down is a finding, not an error.
#include <algorithm>
#include <filesystem>
#include <map>
#include <sstream>

#include "dbroll/lint.h"
#include "engine/directory_source.h"

namespace dbroll {
namespace {

namespace fs = std::filesystem;

bool IsDialectWord(const std::string& w) {
  return w == "postgres" || w == "mysql" || w == "sqlite";
}

// Classifies a .sql file: its migration stem and key, for both layouts.
bool Classify(const fs::path& p, std::string* stem, std::string* key) {
  const std::string f = p.filename().string();
  if (f.size() < 5 || f.compare(f.size() - 4, 4, ".sql") != 0) return false;
  std::vector<std::string> parts;
  std::stringstream in(f.substr(0, f.size() - 4));
  std::string part;
  while (std::getline(in, part, '.')) parts.push_back(part);
  if (parts.empty()) return false;
  if (parts[0] == "up" || parts[0] == "down") {  // <dir>/up.sql, <dir>/up.postgres.sql
    if (parts.size() > 2 || (parts.size() == 2 && !IsDialectWord(parts[1]))) return false;
    *stem = p.parent_path().filename().string();
    *key = parts.size() == 2 ? parts[0] + "." + parts[1] : parts[0];
    return true;
  }
  const std::string dir = parts.back();  // <stem>[.<dialect>].up.sql
  if ((dir != "up" && dir != "down") || parts.size() < 2) return false;
  std::string dialect;
  size_t stem_parts = parts.size() - 1;
  if (parts.size() >= 3 && IsDialectWord(parts[parts.size() - 2])) {
    dialect = parts[parts.size() - 2];
    --stem_parts;
  }
  *stem = parts[0];
  for (size_t i = 1; i < stem_parts; ++i) *stem += "." + parts[i];
  *key = dialect.empty() ? dir : dir + "." + dialect;
  return true;
}

}  // namespace

Result<std::vector<Migration>> LoadMigrationsForLint(const std::vector<std::string>& paths, Dialect dialect,
                                                     const std::string& display_root,
                                                     const DirectoryOptions& source) {
  // Directories are listed by the engine's own lister, so lint and migrate
  // see the same migrations and refuse the same odd entries. A path inside
  // the migrations directory (one version directory, one file) is linted by
  // listing its migrations directory and keeping that migration.
  const std::string root = fs::path(display_root.empty() ? "." : display_root).lexically_normal().string();
  std::map<std::string, Migration> found;  // by up path: a migration named twice is linted once
  for (const auto& given : paths) {
    std::error_code ec;
    const fs::path p = fs::path(given).lexically_normal();
    if (!fs::exists(p, ec)) return Status(Code::kNotFound, given + ": no such file or directory");
    fs::path list_dir = p;
    std::string keep_dir;   // keep migrations whose directory has this name
    std::string keep_file;  // or whose up or down file has this name
    if (fs::is_directory(p, ec)) {
      std::string stem, key;
      bool version_dir = false;
      for (const char* f : {"up.sql", "down.sql"}) version_dir = version_dir || fs::exists(p / f, ec);
      for (const auto& e : fs::directory_iterator(p, ec)) {
        if (version_dir) break;
        if (e.is_regular_file(ec) && Classify(e.path(), &stem, &key) &&
            (e.path().filename().string().rfind("up", 0) == 0 || e.path().filename().string().rfind("down", 0) == 0)) {
          version_dir = true;
        }
      }
      if (version_dir) {
        list_dir = p.has_parent_path() ? p.parent_path() : fs::path(".");
        keep_dir = p.filename().string();
      }
    } else {
      std::string stem, key;
      const std::string f = p.filename().string();
      const bool classified = Classify(p, &stem, &key);
      // Other tools' single files (dbmate, goose, Flyway ...) are found by
      // listing their directory: the lister knows every layout.
      if (!classified && (f.size() < 5 || f.compare(f.size() - 4, 4, ".sql") != 0)) {
        return Status(Code::kInvalidArgument, given + ": not a migration file (up.sql, down.sql, <v>_<name>.up.sql)");
      }
      if (classified && (f.rfind("up", 0) == 0 || f.rfind("down", 0) == 0)) {  // <dir>/up.sql
        keep_dir = p.parent_path().filename().string();
        list_dir = p.parent_path().has_parent_path() ? p.parent_path().parent_path() : fs::path(".");
      } else {
        keep_file = f;
        list_dir = p.has_parent_path() ? p.parent_path() : fs::path(".");
      }
    }
    auto listed = internal::ListMigrationDirectory(list_dir.string(), root, dialect, /*require_down=*/false, source);
    if (!listed.ok()) return listed.status();
    for (auto& m : listed.value()) {
      const fs::path up(m.up.path);
      if (!keep_dir.empty() && up.parent_path().filename() != keep_dir) continue;
      if (!keep_file.empty() && up.filename() != keep_file &&
          !(m.down && fs::path(m.down->path).filename() == keep_file)) {
        continue;
      }
      found.emplace(m.up.path, std::move(m));
    }
  }
  std::vector<Migration> out;
  out.reserve(found.size());
  for (auto& [path, m] : found) out.push_back(std::move(m));
  std::stable_sort(out.begin(), out.end(),
                   [](const Migration& a, const Migration& b) { return CompareVersions(a.version, b.version) < 0; });
  return out;
}

}  // namespace dbroll
