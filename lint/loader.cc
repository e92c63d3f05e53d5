// Migration discovery for the linter. It differs from the engine's directory
// source in one way that matters: a missing down is a finding, not an error.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "dbroll/lint.h"
#include "engine/checksum.h"

namespace dbroll {
namespace {

namespace fs = std::filesystem;

struct Files {
  std::string version, name;
  std::map<std::string, fs::path> by_key;  // "up", "up.postgres", "down", ...
};

bool IsDialectWord(const std::string& w) {
  return w == "postgres" || w == "mysql" || w == "sqlite";
}

// "0001_add_users" -> version "0001", name "add_users".
bool SplitStem(const std::string& stem, std::string* version, std::string* name) {
  size_t i = 0;
  while (i < stem.size() && std::isdigit(static_cast<unsigned char>(stem[i]))) ++i;
  if (i == 0) return false;
  *version = stem.substr(0, i);
  *name = i < stem.size() && stem[i] == '_' ? stem.substr(i + 1) : stem.substr(i);
  return true;
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
                                                     const std::string& display_root) {
  std::map<std::string, Files> found;  // by "<parent>/<stem>"
  auto add = [&](const fs::path& p) {
    std::string stem, key, version, name;
    if (!Classify(p, &stem, &key) || !SplitStem(stem, &version, &name)) return;
    const bool dir_layout = p.filename().string().rfind("up", 0) == 0 || p.filename().string().rfind("down", 0) == 0;
    const std::string id = (dir_layout ? p.parent_path() : p.parent_path() / stem).lexically_normal().string();
    Files& f = found[id];
    f.version = version;
    f.name = name;
    f.by_key[key] = p;
  };
  for (const auto& given : paths) {
    std::error_code ec;
    const fs::path p(given);
    if (!fs::exists(p, ec)) return Status(Code::kNotFound, given + ": no such file or directory");
    if (fs::is_regular_file(p, ec)) {
      // One file names its migration: lint it with its pair.
      std::string stem, key;
      if (!Classify(p, &stem, &key)) {
        return Status(Code::kInvalidArgument, given + ": not a migration file (up.sql, down.sql, <v>_<name>.up.sql)");
      }
      for (const auto& e : fs::directory_iterator(p.parent_path().empty() ? "." : p.parent_path(), ec)) {
        std::string s2, k2;
        if (e.is_regular_file() && Classify(e.path(), &s2, &k2) && s2 == stem) add(e.path());
      }
      continue;
    }
    for (auto it = fs::recursive_directory_iterator(p, ec); !ec && it != fs::recursive_directory_iterator();
         it.increment(ec)) {
      if (it->is_regular_file()) add(it->path());
    }
  }
  auto display = [&](const fs::path& p) {
    std::string s = p.lexically_normal().string();
    std::string root = fs::path(display_root).lexically_normal().string();
    if (!root.empty() && root != "." && root != "./") {
      if (root.back() != '/') root += '/';
      if (s.rfind(root, 0) == 0) s = s.substr(root.size());
    }
    return s;
  };
  auto read = [&](const fs::path& p, Script* s) -> Status {
    std::ifstream in(p, std::ios::binary);
    if (!in) return Status(Code::kInvalidArgument, display(p) + ": cannot read file -- check its permissions");
    std::ostringstream buf;
    buf << in.rdbuf();
    s->path = display(p);
    s->text = buf.str();
    s->checksum = internal::Sha256Hex(s->text);
    // Bad directives are findings (allow-without-reason) or caught by migrate.
    s->directives = ParseDirectives(s->path, s->text, nullptr);
    return Status::Ok();
  };
  const std::string dial = DialectName(dialect);
  std::vector<Migration> out;
  for (auto& [id, f] : found) {
    auto pick = [&](const std::string& dir) -> const fs::path* {
      auto it = f.by_key.find(dir + "." + dial);
      if (it == f.by_key.end()) it = f.by_key.find(dir);
      return it == f.by_key.end() ? nullptr : &it->second;
    };
    const fs::path* up = pick("up");
    if (!up) continue;  // a down alone or another dialect's files: nothing to run
    Migration m;
    m.version = f.version;
    m.name = f.name;
    DBROLL_RETURN_IF_ERROR(read(*up, &m.up));
    if (const fs::path* down = pick("down")) {
      Script s;
      DBROLL_RETURN_IF_ERROR(read(*down, &s));
      m.down = std::move(s);
    }
    out.push_back(std::move(m));
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const Migration& a, const Migration& b) { return CompareVersions(a.version, b.version) < 0; });
  return out;
}

}  // namespace dbroll
