// dbroll adopt --from TOOL: reads another migration tool's history table and
// records what it applied in dbroll's history, without running anything.
#include <algorithm>
#include <array>
#include <cstdint>
#include <map>
#include <set>

#include "engine/checksum.h"
#include "engine/engine_impl.h"
#include "engine/placeholders.h"

namespace dbroll::internal {
namespace {

enum class Tool { kGolangMigrate, kDbmate, kGoose, kFlyway, kSqlMigrate, kDiesel, kPopx };

struct ToolSpec {
  const char* name;
  Tool tool;
  const char* table;
};

constexpr ToolSpec kTools[] = {
    {"golang-migrate", Tool::kGolangMigrate, "schema_migrations"},
    {"dbmate", Tool::kDbmate, "schema_migrations"},
    {"goose", Tool::kGoose, "goose_db_version"},
    {"flyway", Tool::kFlyway, "flyway_schema_history"},
    {"sql-migrate", Tool::kSqlMigrate, "gorp_migrations"},
    {"diesel", Tool::kDiesel, "__diesel_schema_migrations"},
    {"popx", Tool::kPopx, "schema_migration"},
};

const ToolSpec* FindTool(const std::string& name) {
  std::string n = name;
  if (n == "migrate") n = "golang-migrate";  // golang-migrate's command name
  if (n == "pop") n = "popx";
  for (const auto& t : kTools) {
    if (n == t.name) return &t;
  }
  return nullptr;
}

bool Truthy(const std::optional<std::string>& v) {
  return v && (*v == "1" || *v == "t" || *v == "true" || *v == "TRUE" || *v == "True");
}

// Dotted versions compared part by part as numbers (Flyway: 1.2 < 1.10,
// 1.0 == 1); plain digits compare as one number. Diesel's dashes are ignored.
int CompareToolVersions(std::string a, std::string b) {
  auto clean = [](std::string* v) { v->erase(std::remove(v->begin(), v->end(), '-'), v->end()); };
  clean(&a);
  clean(&b);
  auto parts = [](const std::string& v) {
    std::vector<std::string> out;
    size_t from = 0;
    while (true) {
      size_t e = v.find_first_of("._", from);
      std::string p = v.substr(from, e == std::string::npos ? std::string::npos : e - from);
      p.erase(0, std::min(p.find_first_not_of('0'), p.size()));
      out.push_back(p);
      if (e == std::string::npos) break;
      from = e + 1;
    }
    while (out.size() > 1 && out.back().empty()) out.pop_back();
    return out;
  };
  const auto pa = parts(a), pb = parts(b);
  for (size_t i = 0; i < std::max(pa.size(), pb.size()); ++i) {
    const std::string x = i < pa.size() ? pa[i] : "", y = i < pb.size() ? pb[i] : "";
    if (x.size() != y.size()) return x.size() < y.size() ? -1 : 1;
    if (int c = x.compare(y)) return c < 0 ? -1 : 1;
  }
  return 0;
}

// What the other tool's table says.
struct ToolState {
  std::vector<std::string> applied;   // versions applied, as the tool writes them
  std::optional<std::string> up_to;   // every version up to this one (golang-migrate, a Flyway baseline)
  bool up_to_needs_file = true;       // a Flyway baseline version need not have a file
  std::vector<std::string> refusals;  // dirty or failed states
  // Flyway repeatable migrations: the checksum of the newest successful run
  // of each script, by file name.
  std::map<std::string, std::string> repeatables;
};

// Flyway's checksum of a file: CRC-32 over its lines without their line
// terminators (and without a leading UTF-8 byte order mark), as a signed
// 32-bit number.
std::string FlywayChecksum(const std::string& text) {
  static const auto table = [] {
    std::array<uint32_t, 256> t{};
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  uint32_t crc = 0xFFFFFFFFu;
  size_t i = text.rfind("\xEF\xBB\xBF", 0) == 0 ? 3 : 0;
  for (; i < text.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == '\n' || c == '\r') continue;
    crc = table[(crc ^ c) & 0xFF] ^ (crc >> 8);
  }
  return std::to_string(static_cast<int32_t>(crc ^ 0xFFFFFFFFu));
}

std::string BaseName(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

Result<ToolState> ReadToolState(Driver& driver, const ToolSpec& spec, const std::string& table) {
  const std::string t = QuoteIdent(driver.dialect(), table);
  ToolState st;
  switch (spec.tool) {
    case Tool::kGolangMigrate: {
      auto rows = driver.Query("SELECT version, dirty FROM " + t);
      if (!rows.ok()) return rows.status();
      for (const auto& r : rows.value()) {
        if (!r[0]) continue;
        if (Truthy(r[1])) {
          st.refusals.push_back(table + ": golang-migrate marks version " + *r[0] +
                                " dirty (it failed part-way) -- finish or undo it by hand, run `migrate force "
                                "<version>` so golang-migrate is clean, then adopt again");
        }
        if (!st.up_to || CompareToolVersions(*r[0], *st.up_to) > 0) st.up_to = *r[0];
      }
      break;
    }
    case Tool::kGoose: {
      // One row per up and per down; the newest row of a version tells.
      auto rows = driver.Query("SELECT version_id, is_applied FROM " + t + " ORDER BY id");
      if (!rows.ok()) return rows.status();
      std::map<std::string, bool> state;
      std::vector<std::string> order;
      for (const auto& r : rows.value()) {
        if (!r[0] || *r[0] == "0") continue;  // goose's initial row
        if (!state.count(*r[0])) order.push_back(*r[0]);
        state[*r[0]] = Truthy(r[1]);
      }
      for (const auto& v : order) {
        if (state[v]) st.applied.push_back(v);
      }
      break;
    }
    case Tool::kFlyway: {
      auto rows = driver.Query("SELECT version, description, type, success, script, checksum FROM " + t +
                               " ORDER BY installed_rank");
      if (!rows.ok()) return rows.status();
      std::vector<std::string> applied;
      for (const auto& r : rows.value()) {
        const std::string type = r[2].value_or("");
        const std::string what = r[0] ? "version " + *r[0] : "repeatable " + r[1].value_or("");
        if (!Truthy(r[3])) {
          st.refusals.push_back(table + ": " + what + " (" + r[1].value_or("") +
                                ") failed (success = false) -- fix the database by hand, run `flyway repair`, "
                                "then adopt again");
          continue;
        }
        if (type == "SCHEMA") continue;
        if (!r[0]) {
          st.repeatables[BaseName(r[4].value_or(""))] = r[5].value_or("");
          continue;
        }
        auto same = [&](const std::string& v) { return CompareToolVersions(v, *r[0]) == 0; };
        if (type.rfind("UNDO", 0) == 0 || type == "DELETE") {
          applied.erase(std::remove_if(applied.begin(), applied.end(), same), applied.end());
        } else if (type == "BASELINE") {
          st.up_to = *r[0];
          st.up_to_needs_file = false;
        } else if (std::none_of(applied.begin(), applied.end(), same)) {
          applied.push_back(*r[0]);
        }
      }
      st.applied = std::move(applied);
      break;
    }
    case Tool::kSqlMigrate: {
      // Ids are file names; their leading digits are the version.
      auto rows = driver.Query("SELECT id FROM " + t);
      if (!rows.ok()) return rows.status();
      for (const auto& r : rows.value()) {
        const std::string id = r[0].value_or("");
        size_t n = 0;
        while (n < id.size() && id[n] >= '0' && id[n] <= '9') ++n;
        if (n == 0) {
          return Status(Code::kInvalidArgument, table + ": applied migration " + id +
                                                    " has no version number in its name -- dbroll versions start "
                                                    "with digits; rename the file and its id, then adopt again")
              .set_remedy(Remedy::kRunAdopt);
        }
        st.applied.push_back(id.substr(0, n));
      }
      break;
    }
    case Tool::kDbmate:
    case Tool::kDiesel:
    case Tool::kPopx: {
      auto rows = driver.Query("SELECT version FROM " + t);
      if (!rows.ok()) return rows.status();
      for (const auto& r : rows.value()) {
        if (r[0]) st.applied.push_back(*r[0]);
      }
      break;
    }
  }
  return st;
}

}  // namespace

Result<AdoptReport> EngineImpl::Adopt(const AdoptOptions& o) {
  const ToolSpec* spec = FindTool(o.from);
  if (!spec) {
    return Status(Code::kInvalidArgument, "--from " + o.from +
                                              ": unknown tool -- use golang-migrate, dbmate, goose, flyway, "
                                              "sql-migrate, diesel or popx; nothing was recorded");
  }
  AdoptReport report;
  report.tool = spec->name;
  report.table = o.table.empty() ? spec->table : o.table;
  const std::string& table = report.table;
  LockScope lock(this);
  if (!o.dry_run) DBROLL_RETURN_IF_ERROR(lock.Acquire());
  // As the tool finds it: through the search_path.
  auto exists = CatalogHasTable(*driver_, table, "", /*search_path=*/true);
  if (!exists.ok()) return exists.status();
  if (!exists.value()) {
    return Status(Code::kNotFound, table + ": no such table in this database -- is this the database " +
                                       report.tool + " migrated? (--table names its history table when it is "
                                       "not the default); nothing was recorded");
  }
  auto tool = ReadToolState(*driver_, *spec, table);
  if (!tool.ok()) {
    return Status(tool.status().code(), table + ": cannot read it as " + report.tool + "'s history: " +
                                            tool.status().message() + " -- check --from; nothing was recorded");
  }
  if (!tool->refusals.empty()) {
    std::string msg;
    for (const auto& r : tool->refusals) msg += (msg.empty() ? "" : "\n") + r;
    return Status(Code::kDirty, msg + "\nnothing was recorded").set_remedy(Remedy::kRunAdopt);
  }
  if (!o.dry_run) DBROLL_RETURN_IF_ERROR(history_.Ensure());
  auto st = Load(false);
  if (!st.ok()) return st.status();
  if (!st->rows.empty()) {
    return Status(Code::kInvalidArgument, "adopt is for a database dbroll has not migrated yet, and " +
                                              options_.history_table + " has " + std::to_string(st->rows.size()) +
                                              " rows; nothing was recorded")
        .set_remedy(Remedy::kInspectStatus);
  }
  // Every version the tool applied, matched to its migration files.
  const auto& ms = st->migrations;
  std::set<size_t> chosen;
  std::vector<std::string> missing;
  auto find = [&](const std::string& v) -> std::optional<size_t> {
    for (size_t i = 0; i < ms.size(); ++i) {
      if (CompareToolVersions(ms[i].version, v) == 0) return i;
    }
    return std::nullopt;
  };
  for (const auto& v : tool->applied) {
    if (auto i = find(v)) chosen.insert(*i);
    else missing.push_back(v);
  }
  if (tool->up_to) {
    if (tool->up_to_needs_file && !find(*tool->up_to)) missing.push_back(*tool->up_to);
    for (size_t i = 0; i < ms.size(); ++i) {
      if (CompareToolVersions(ms[i].version, *tool->up_to) <= 0) chosen.insert(i);
    }
  }
  if (!missing.empty()) {
    std::string list;
    for (const auto& v : missing) list += (list.empty() ? "" : ", ") + v;
    return Status(Code::kNotFound, table + ": " + report.tool + " applied version" + (missing.size() > 1 ? "s " : " ") +
                                       list + " but " + MigrationsDir() +
                                       " has no migration file for " + (missing.size() > 1 ? "them" : "it") +
                                       " -- restore the files (dbroll needs their down scripts), then adopt "
                                       "again; nothing was recorded")
        .set_remedy(Remedy::kRunAdopt);
  }
  std::vector<std::string> book;
  for (size_t i : chosen) {
    auto prepared = Prepare(ms[i]);
    if (!prepared.ok()) return prepared.status();
    auto stmts = Split(prepared->up);
    if (!stmts.ok()) return stmts.status();
    HistoryRow r = RowFor(prepared.value(), stmts.value(), "");
    r.applied_by = "adopted from " + report.tool;
    r.statements_done = static_cast<int>(stmts->size());
    book.push_back(history_.InsertSql(r));
    report.versions.push_back(ms[i].version);
    report.names.push_back(ms[i].name);
  }
  if (!chosen.empty()) {
    const std::string newest = ms[*chosen.rbegin()].version;
    for (size_t i = 0; i < ms.size(); ++i) {
      if (!chosen.count(i) && CompareToolVersions(ms[i].version, newest) < 0) {
        observer_->OnNotice(ms[i].up.path + ": " + report.tool + " did not apply version " + ms[i].version +
                            ", older than the adopted " + newest +
                            " -- migrate refuses it until it gets a newer version");
      }
    }
  }
  // A Flyway repeatable migration whose file still has the checksum Flyway
  // recorded is taken over as applied; the others run on the next migrate.
  std::vector<RepeatableRow> repeatables;
  if (!tool->repeatables.empty()) {
    auto listed = ListRepeatables(MigrationsDir(), options_.base_dir, driver_->dialect());
    if (!listed.ok()) return listed.status();
    for (const auto& r : listed.value()) {
      auto it = tool->repeatables.find(BaseName(r.script.path));
      if (it == tool->repeatables.end() || it->second != FlywayChecksum(r.script.text)) {
        observer_->OnNotice(r.script.path + ": not as " + report.tool +
                            " last applied it -- the next migrate applies it");
        continue;
      }
      std::string text = r.script.text;
      if (options_.placeholders_enabled) {
        auto sub = SubstitutePlaceholders(r.script.path, r.script.text, options_.placeholders);
        if (!sub.ok()) return sub.status();
        text = std::move(sub).value();
      }
      RepeatableRow row{"", r.name, Sha256Hex(text), text, NowUtc(), "adopted from " + report.tool,
                        r.script.directives.no_transaction};
      repeatables.push_back(std::move(row));
      report.repeatables.push_back(r.name);
    }
  }
  if (o.dry_run) return report;
  if (book.empty() && repeatables.empty()) {
    observer_->OnNotice(table + ": " + report.tool + " applied no version -- nothing to adopt");
    return report;
  }
  if (!repeatables.empty()) {
    DBROLL_RETURN_IF_ERROR(repeatables_.Ensure());
    for (const auto& row : repeatables) {
      for (auto& sql : repeatables_.PutSql(row)) book.push_back(std::move(sql));
    }
  }
  Status s = driver_->RunTransaction({}, book);
  LogEntry e;
  e.by = Who();
  e.action = "adopt";
  for (const auto& v : report.versions) e.versions += (e.versions.empty() ? "" : ",") + v;
  if (!report.versions.empty()) e.schema_version = report.versions.back();
  e.outcome = s.ok() ? "ok" : CodeName(s.code());
  e.message = s.ok() ? "adopted from " + report.tool + " (" + table + ", left as it was)" : s.ToString();
  Status logged = AppendLog(e);
  if (!logged.ok()) observer_->OnNotice("could not write the audit log: " + logged.ToString());
  if (!s.ok()) return s;
  return report;
}

}  // namespace dbroll::internal
