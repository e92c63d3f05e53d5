#include "engine/repeatable.h"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <map>
#include <sstream>

#include "engine/checksum.h"
#include "engine/engine_impl.h"
#include "engine/history.h"
#include "engine/placeholders.h"

namespace dbroll::internal {
namespace {

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Files a repeatable directory may hold besides migrations (as the versioned lister).
bool Ignorable(const std::string& f) {
  if (f.empty() || f[0] == '.') return true;
  if (f.rfind("README", 0) == 0 || f.rfind("readme", 0) == 0 || f.rfind("LICENSE", 0) == 0) return true;
  return EndsWith(f, ".md") || EndsWith(f, ".txt") || EndsWith(f, "~");
}

bool IsDir(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

std::vector<std::string> Names(const std::string& dir) {
  std::vector<std::string> out;
  DIR* d = ::opendir(dir.c_str());
  if (!d) return out;
  while (dirent* e = ::readdir(d)) {
    const std::string n = e->d_name;
    if (n != "." && n != "..") out.push_back(n);
  }
  ::closedir(d);
  std::sort(out.begin(), out.end());
  return out;
}

std::string Display(const std::string& dir, const std::string& display_root, const std::string& rel) {
  std::string d = dir;
  std::string root = display_root;
  while (root.size() > 1 && root.back() == '/') root.pop_back();
  if (!root.empty() && root != "." && d.rfind(root + "/", 0) == 0) d = d.substr(root.size() + 1);
  if (d.rfind("./", 0) == 0) d = d.substr(2);
  return d + "/" + rel;
}

}  // namespace

bool IsRepeatableMigrationEntry(const std::string& name, bool is_dir) {
  if (is_dir) return name == "repeatable";
  return name.size() > 7 && name.rfind("R__", 0) == 0 && EndsWith(name, ".sql");
}

Result<std::vector<Repeatable>> ListRepeatables(const std::string& dir, const std::string& display_root,
                                                Dialect dialect) {
  struct Found {
    std::string rel;
    bool for_dialect = false;
  };
  std::map<std::string, Found> found;
  const std::string dial = DialectName(dialect);
  auto add = [&](const std::string& name, const std::string& rel, bool for_dialect) -> Status {
    auto it = found.find(name);
    if (it != found.end() && it->second.for_dialect == for_dialect) {
      return Status(Code::kInvalidArgument, Display(dir, display_root, rel) + ": repeatable migration " + name +
                                                " is also " + Display(dir, display_root, it->second.rel) +
                                                " -- keep one of them");
    }
    if (it == found.end() || for_dialect) found[name] = Found{rel, for_dialect};
    return Status::Ok();
  };
  const std::string sub = dir + "/repeatable";
  if (IsDir(sub)) {
    for (const std::string& f : Names(sub)) {
      if (Ignorable(f)) continue;
      const std::string rel = "repeatable/" + f;
      if (!EndsWith(f, ".sql") || f.size() == 4 || IsDir(sub + "/" + f)) {
        return Status(Code::kInvalidArgument, Display(dir, display_root, rel) +
                                                  ": not a repeatable migration -- repeatable/ holds <name>.sql "
                                                  "(or <name>.<dialect>.sql) files; rename or move it");
      }
      std::string stem = f.substr(0, f.size() - 4);
      bool for_dialect = false;
      if (size_t dot = stem.rfind('.'); dot != std::string::npos) {
        const std::string word = stem.substr(dot + 1);
        if (word == "postgres" || word == "mysql" || word == "sqlite") {
          if (word != dial) continue;  // another dialect's variant
          stem = stem.substr(0, dot);
          for_dialect = true;
        }
      }
      DBROLL_RETURN_IF_ERROR(add(stem, rel, for_dialect));
    }
  }
  if (IsDir(dir)) {
    for (const std::string& f : Names(dir)) {
      if (!IsRepeatableMigrationEntry(f, false) || IsDir(dir + "/" + f)) continue;
      DBROLL_RETURN_IF_ERROR(add(f.substr(3, f.size() - 7), f, false));
    }
  }
  std::vector<Repeatable> out;
  for (const auto& [name, f] : found) {
    Repeatable r;
    r.name = name;
    r.script.path = Display(dir, display_root, f.rel);
    std::ifstream in(dir + "/" + f.rel, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    if (!in) {
      return Status(Code::kInvalidArgument, r.script.path + ": cannot read it -- fix its permissions and run dbroll again");
    }
    r.script.text = text.str();
    r.script.checksum = Sha256Hex(r.script.text);
    std::vector<std::string> errors;
    r.script.directives = ParseDirectives(r.script.path, r.script.text, &errors);
    for (const auto& e : errors) {
      if (e.find("dbroll:allow") == std::string::npos) {
        return Status(Code::kInvalidArgument, e + " -- fix the directive and run dbroll again");
      }
    }
    out.push_back(std::move(r));
  }
  return out;
}

RepeatableStore::RepeatableStore(Driver* driver, const std::string& schema, const std::string& history_table)
    : driver_(driver), schema_(schema) {
  const std::string suffix = "_history";
  std::string stem = history_table;
  if (stem.size() > suffix.size() && EndsWith(stem, suffix)) stem.resize(stem.size() - suffix.size());
  name_ = stem + "_repeatable";
  const Dialect d = driver->dialect();
  table_ = schema.empty() ? QuoteIdent(d, name_) : QuoteIdent(d, schema) + "." + QuoteIdent(d, name_);
}

Result<bool> RepeatableStore::Exists() { return CatalogHasTable(*driver_, name_, schema_); }

Status RepeatableStore::Ensure() {
  auto exists = Exists();
  if (!exists.ok()) return exists.status();
  if (exists.value()) return Status::Ok();
  const bool my = driver_->dialect() == Dialect::kMysql;
  const std::string text = my ? "LONGTEXT" : "TEXT";
  return driver_->RunStatement(Statement{
      "CREATE TABLE IF NOT EXISTS " + table_ +
          " (release_tag VARCHAR(255) NOT NULL, name VARCHAR(255) NOT NULL, checksum VARCHAR(64) NOT NULL,"
          " script " + text + " NOT NULL, no_transaction SMALLINT NOT NULL DEFAULT 0,"
          " applied_at VARCHAR(32) NOT NULL, applied_by VARCHAR(255) NOT NULL, PRIMARY KEY (release_tag, name))" +
          (my ? " DEFAULT CHARSET=utf8mb4" : ""),
      "", 1, 1, 0});
}

Result<std::vector<RepeatableRow>> RepeatableStore::Read(const std::string& release) {
  const Dialect d = driver_->dialect();
  auto rows = driver_->Query("SELECT release_tag, name, checksum, script, no_transaction, applied_at, applied_by FROM " +
                             table_ + " WHERE release_tag=" + (release.empty() ? "''" : QuoteLiteral(d, release)) +
                             " ORDER BY name");
  if (!rows.ok()) return rows.status();
  std::vector<RepeatableRow> out;
  for (auto& r : rows.value()) {
    RepeatableRow row;
    row.release = r[0].value_or("");
    row.name = r[1].value_or("");
    row.checksum = r[2].value_or("");
    row.script = r[3].value_or("");
    row.no_transaction = r[4] && *r[4] == "1";
    row.applied_at = r[5].value_or("");
    row.applied_by = r[6].value_or("");
    out.push_back(std::move(row));
  }
  return out;
}

std::vector<std::string> RepeatableStore::PutSql(const RepeatableRow& r) const {
  const Dialect d = driver_->dialect();
  auto lit = [&](const std::string& v) { return v.empty() ? std::string("''") : QuoteLiteral(d, v); };
  return {"DELETE FROM " + table_ + " WHERE release_tag=" + lit(r.release) + " AND name=" + lit(r.name),
          "INSERT INTO " + table_ +
              " (release_tag, name, checksum, script, no_transaction, applied_at, applied_by) VALUES (" +
              lit(r.release) + ", " + lit(r.name) + ", " + lit(r.checksum) + ", " + lit(r.script) + ", " +
              (r.no_transaction ? "1" : "0") + ", " + lit(r.applied_at) + ", " + lit(r.applied_by) + ")"};
}

std::string RepeatableStore::ClearSql(const std::string& release) const {
  return "DELETE FROM " + table_ + " WHERE release_tag=" +
         (release.empty() ? std::string("''") : QuoteLiteral(driver_->dialect(), release));
}

// --- the engine's side ---

std::string EngineImpl::MigrationsDir() const {
  std::string dir = options_.migrations_dir;
  if (!dir.empty() && dir[0] != '/' && !options_.base_dir.empty()) dir = options_.base_dir + "/" + dir;
  return dir;
}

Status EngineImpl::RunRepeatable(const std::string& name, const Script& script, const std::string& checksum,
                                 const std::string& release, bool dry_run) {
  Migration m;
  m.version = "repeatable";
  m.name = name;
  m.up = script;
  auto split = Split(script);
  if (!split.ok()) return split.status();
  const std::vector<Statement>& stmts = split.value();
  observer_->OnMigrationStart(m, Direction::kUp);
  if (dry_run) {
    for (const auto& s : stmts) observer_->OnSql(m, Direction::kUp, s.text);
    observer_->OnMigrationDone(m, Direction::kUp, std::chrono::milliseconds(0));
    return Status::Ok();
  }
  const auto t0 = std::chrono::steady_clock::now();
  RepeatableRow row{"", name, checksum, script.text, NowUtc(), Who(), script.directives.no_transaction};
  std::vector<std::string> book = repeatables_.PutSql(row);
  if (!release.empty()) {
    row.release = release;
    for (auto& s : repeatables_.PutSql(row)) book.push_back(std::move(s));
  }
  const std::string label = "repeatable " + name;
  Status s;
  if (RunsInTransaction(script, stmts)) {
    s = RunTransactionWithRetry(label, stmts, book);
  } else {
    for (const auto& st : stmts) {
      s = RunStatementWithRetry(label, st);
      if (!s.ok()) break;
    }
    if (s.ok()) s = driver_->RunTransaction({}, book);
  }
  if (!s.ok()) {
    return Failed(m, Direction::kUp, s.code() == Code::kLockTimeout ? s.code() : Code::kMigrationFailed,
                  Locate(stmts, s) + " -- fix the repeatable migration and migrate again; the versioned "
                                     "migrations before it are applied",
                  s);
  }
  observer_->OnMigrationDone(
      m, Direction::kUp,
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0));
  return Status::Ok();
}

Status EngineImpl::ApplyRepeatables(const std::string& release, bool dry_run, std::vector<std::string>* applied) {
  auto listed = ListRepeatables(MigrationsDir(), options_.base_dir, driver_->dialect());
  if (!listed.ok()) return listed.status();
  if (listed->empty()) return Status::Ok();
  auto exists = repeatables_.Exists();
  if (!exists.ok()) return exists.status();
  if (!exists.value() && !dry_run) DBROLL_RETURN_IF_ERROR(repeatables_.Ensure());
  std::map<std::string, RepeatableRow> current;
  if (exists.value()) {
    auto rows = repeatables_.Read("");
    if (!rows.ok()) return rows.status();
    for (auto& r : rows.value()) current.emplace(r.name, std::move(r));
  }
  std::vector<std::string> snapshot;  // the release's record of the unchanged ones
  for (auto& r : listed.value()) {
    // Placeholders are replaced first: a new value re-applies the file.
    if (options_.placeholders_enabled) {
      auto text = SubstitutePlaceholders(r.script.path, r.script.text, options_.placeholders);
      if (!text.ok()) return text.status();
      r.script.text = std::move(text).value();
    }
    const std::string checksum = Sha256Hex(r.script.text);
    auto it = current.find(r.name);
    if (it != current.end() && it->second.checksum == checksum) {
      if (!release.empty()) {
        RepeatableRow row = it->second;
        row.release = release;
        for (auto& s : repeatables_.PutSql(row)) snapshot.push_back(std::move(s));
      }
      continue;
    }
    DBROLL_RETURN_IF_ERROR(RunRepeatable(r.name, r.script, checksum, release, dry_run));
    applied->push_back(r.name);
  }
  if (!snapshot.empty() && !dry_run) return driver_->RunTransaction({}, snapshot);
  return Status::Ok();
}

Status EngineImpl::RestoreRepeatables(const std::string& release, bool dry_run, std::vector<std::string>* applied) {
  auto exists = repeatables_.Exists();
  if (!exists.ok()) return exists.status();
  if (!exists.value()) return Status::Ok();
  auto then = repeatables_.Read(release);
  if (!then.ok()) return then.status();
  auto now = repeatables_.Read("");
  if (!now.ok()) return now.status();
  std::map<std::string, RepeatableRow> current;
  for (auto& r : now.value()) current.emplace(r.name, std::move(r));
  for (const auto& r : then.value()) {
    auto it = current.find(r.name);
    if (it != current.end() && it->second.checksum == r.checksum) {
      current.erase(it);
      continue;
    }
    if (it != current.end()) current.erase(it);
    Script script;
    script.path = "stored text of repeatable " + r.name + " at release " + release;
    script.text = r.script;
    script.checksum = Sha256Hex(r.script);
    script.directives = ParseDirectives(script.path, script.text, nullptr);
    if (r.no_transaction) script.directives.no_transaction = true;
    DBROLL_RETURN_IF_ERROR(RunRepeatable(r.name, script, r.checksum, "", dry_run));
    applied->push_back(r.name);
  }
  for (const auto& [name, r] : current) {
    observer_->OnNotice("repeatable " + name + " did not exist at release " + release +
                        "; it stays as it is -- drop it by hand if the release must not have it");
  }
  return Status::Ok();
}

}  // namespace dbroll::internal
