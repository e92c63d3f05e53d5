// verify and drift: replay migrations on a scratch database through the
// ordinary Engine, and compare schema snapshots taken between the steps.
#include "dbroll/verify.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <set>

#include "dbroll/source.h"
#include "engine/open_options.h"
#include "engine/repeatable.h"
#include "engine/schema_internal.h"
#include "engine/scratch.h"
#include "engine/verify_data.h"
#include "engine/verify_scope.h"

namespace dbroll {
namespace {

struct Located {
  std::string path;
  int line = 0, column = 0;
  std::string text;  // "no such table: x at migrations/0003/down.sql:1:1"
};

// Engine errors read "path:line:col: message -- what to do next". For a
// verify finding the advice is wrong (nothing to re-run on a scratch
// database) and the place reads better after the message.
Located Relocate(const std::string& engine_message) {
  Located out;
  std::string m = engine_message;
  if (size_t advice = m.rfind(" -- "); advice != std::string::npos) m.erase(advice);
  // Find "path:L:C: " where L and C are digits; the path itself may hold colons.
  for (size_t colon = m.find(':'); colon != std::string::npos; colon = m.find(':', colon + 1)) {
    size_t p = colon + 1, l_end = p;
    while (l_end < m.size() && std::isdigit(static_cast<unsigned char>(m[l_end]))) ++l_end;
    if (l_end == p || l_end >= m.size() || m[l_end] != ':') continue;
    size_t c_end = l_end + 1;
    while (c_end < m.size() && std::isdigit(static_cast<unsigned char>(m[c_end]))) ++c_end;
    if (c_end == l_end + 1 || m.compare(c_end, 2, ": ") != 0) continue;
    out.path = m.substr(0, colon);
    out.line = std::atoi(m.substr(p, l_end - p).c_str());
    out.column = std::atoi(m.substr(l_end + 1, c_end - l_end - 1).c_str());
    out.text = m.substr(c_end + 2) + " at " + m.substr(0, c_end);
    return out;
  }
  out.text = m;
  return out;
}

std::string Quoted(const std::string& s) { return s.empty() ? "(nothing)" : "\"" + s + "\""; }

// How a difference between the pre-up and post-down snapshots reads.
std::string DownMessage(const SchemaChange& c) {
  switch (c.kind) {
    case SchemaChange::Kind::kAdded: return "down leaves " + c.after.Describe() + " behind";
    case SchemaChange::Kind::kRemoved: return "down drops " + c.before.Describe() + ", which existed before up";
    case SchemaChange::Kind::kChanged:
      return "down does not restore " + c.before.Describe() + ": was " + Quoted(c.before.definition) + ", now " +
             Quoted(c.after.definition);
  }
  return "";
}

std::string RepeatMessage(const SchemaChange& c) {
  switch (c.kind) {
    case SchemaChange::Kind::kAdded: return c.after.Describe() + " exists only after the second up";
    case SchemaChange::Kind::kRemoved: return c.before.Describe() + " exists only after the first up";
    case SchemaChange::Kind::kChanged:
      return c.before.Describe() + " was " + Quoted(c.before.definition) + ", now " + Quoted(c.after.definition);
  }
  return "";
}

std::string DriftMessage(const SchemaChange& c) {
  switch (c.kind) {
    case SchemaChange::Kind::kAdded:
      return c.after.Describe() + " exists in the live database but no applied migration creates it";
    case SchemaChange::Kind::kRemoved:
      return c.before.Describe() + " is missing from the live database (the applied migrations create it)";
    case SchemaChange::Kind::kChanged:
      return c.before.Describe() + " differs: the migrations give " + Quoted(c.before.definition) +
             ", the live database has " + Quoted(c.after.definition);
  }
  return "";
}

Result<Snapshot> Snap(Engine& e) { return TakeSnapshot(e.driver(), SnapshotOptionsFor(e.options())); }

// How a version's step of the per-version pass left the scratch database.
enum class After {
  kClean,         // at the state a clean replay reaches at this version
  kRebuild,       // somewhere else: rebuild it before the next version
  kUpFails,       // the up fails from a clean state: no later clean state exists
};

class Verifier {
 public:
  explicit Verifier(const std::vector<Migration>& migrations) : migrations_(migrations) {}

  // Verifies migrations_[i] on `e`, which is at the clean state of version i-1.
  Result<After> Step(Engine& e, size_t i, VerifiedVersion* out, std::vector<SchemaChange>* down_changes) {
    const Migration& m = migrations_[i];
    const std::string label = m.version + "_" + m.name;
    const std::string down_path = m.down ? m.down->path : m.up.path;
    auto add = [&](const std::string& rule, const std::string& path, const std::string& message, int line = 0,
                   int column = 0) {
      out->findings.push_back({m.version, m.name, rule, path, line, column, label + ": " + message});
      out->state = "failed";
    };
    out->version = m.version;
    out->name = m.name;
    out->state = "ok";
    // The schema of the clean state of the previous version is this
    // version's starting point: reuse it rather than read the catalog again.
    auto Full = [this](Engine& engine) {
      return internal::TakeSnapshotCached(engine.driver(), SnapshotOptionsFor(engine.options()), &cache_);
    };
    // On a server, snapshots read again only what this version can change
    // (docs/verify.md "Speed"); the rest is the starting point's.
    std::optional<internal::ScopeNames> scope;
    if (!full_only_) scope = internal::VersionScope(m, e.driver().dialect());
    if (scope && e.driver().dialect() == Dialect::kPostgres && !no_inherits_) {
      // Inheritance and partitions spread a change to tables no statement
      // names. A scoped version cannot create them (VersionScope): the check
      // holds until a version runs unscoped.
      auto inherits = e.driver().Query("SELECT count(*) FROM pg_catalog.pg_inherits");
      if (!inherits.ok()) return inherits.status();
      no_inherits_ = !inherits->empty() && internal::Text(inherits->front(), 0) == "0";
      if (!no_inherits_) scope.reset();
    }
    // A merged snapshot is exact only within the scope it was merged for:
    // a full comparison starts from a full read.
    Result<Snapshot> before = last_ && (scope || last_full_) ? Result<Snapshot>(std::move(*last_)) : Full(e);
    last_.reset();
    if (!before.ok()) return before.status();
    if (scope && !internal::WidenScope(before.value(), &*scope)) {
      scope.reset();
      if (!last_full_) before = Full(e);
      if (!before.ok()) return before.status();
    }
    last_full_ = !scope;
    if (!scope) no_inherits_ = false;
    if (std::getenv("DBROLL_PROF")) std::fprintf(stderr, "scope %s %zu\n", m.version.c_str(), scope ? scope->size() : 0);
    // `merge` false: only to be compared (DiffScoped), not the next starting
    // point nor read for --data, so the objects out of scope need no copy.
    auto Snap = [&](Engine& engine, bool merge = true) {
      return scope ? internal::TakeScopedSnapshot(engine.driver(), SnapshotOptionsFor(engine.options()),
                                                  before.value(), *scope, &cache_, merge || data_)
                   : Full(engine);
    };
    // --data: the rows of the tables this version touches, seeded when empty.
    std::vector<std::string> touched;
    internal::DataState data_before;
    if (data_) {
      touched = internal::TouchedTables(before.value(), m.up.text);
      internal::SeedTables(e.driver(), before.value(), touched);
      auto d = internal::ReadData(e.driver(), before.value(), touched);
      if (!d.ok()) return d.status();
      data_before = std::move(d).value();
    }
    MigrateOptions up;
    up.to = m.version;
    if (Status s = e.Migrate(up); !s.ok()) {
      Located l = Relocate(s.message());
      add("verify-up-fails", l.path.empty() ? m.up.path : l.path, "up fails: " + l.text, l.line, l.column);
      return After::kUpFails;
    }
    auto first_up = Snap(e);
    if (!first_up.ok()) return first_up.status();
    // Whatever happens next, the first up from a clean state is the clean
    // state of this version.
    last_ = std::move(first_up).value();
    const Snapshot& after_up = *last_;
    // Snapshots merged for a scope differ only in it (see DiffScoped).
    auto Diff = [&](const Snapshot& a, const Snapshot& b) {
      return scope ? internal::DiffScoped(a, b, *scope) : DiffSnapshots(a, b);
    };
    if (m.up.directives.irreversible) {
      out->state = "not-verified";
      out->reason = "up.sql is marked irreversible: there is no down to verify";
      return After::kClean;
    }
    DownOptions down;
    down.steps = 1;
    if (Status s = e.Down(down); !s.ok()) {
      Located l = Relocate(s.message());
      add("verify-down-fails", l.path.empty() ? down_path : l.path, "down fails: " + l.text, l.line, l.column);
      // kMigrationFailed means the database was not changed (a rolled-back
      // transaction, or the first statement of a non-transactional script),
      // so it is still at this version's clean state.
      return s.code() == Code::kMigrationFailed ? After::kClean : After::kRebuild;
    }
    auto after_down = Snap(e, false);
    if (!after_down.ok()) return after_down.status();
    *down_changes = Diff(before.value(), after_down.value());
    for (const SchemaChange& c : *down_changes) add("verify-down-incomplete", down_path, DownMessage(c));
    if (data_) {
      auto d = internal::ReadData(e.driver(), after_down.value(), touched);
      if (!d.ok()) return d.status();
      for (const std::string& msg : internal::CompareData(data_before, d.value())) add("verify-data-lost", down_path, msg);
    }
    if (Status s = e.Migrate(up); !s.ok()) {
      Located l = Relocate(s.message());
      add("verify-up-not-repeatable", l.path.empty() ? m.up.path : l.path, "up fails after down: " + l.text,
          l.line, l.column);
      return After::kRebuild;
    }
    auto again = Snap(e, false);
    if (!again.ok()) return again.status();
    std::vector<SchemaChange> changes = Diff(after_up, again.value());
    if (!changes.empty()) {
      std::string detail;
      for (const SchemaChange& c : changes) detail += (detail.empty() ? "" : "; ") + RepeatMessage(c);
      add("verify-up-not-repeatable", m.up.path, "the second up differs from the first: " + detail);
      return After::kRebuild;
    }
    return After::kClean;
  }

  // The scratch database was rebuilt: its schema is the clean state of the
  // last version stepped, which last_ already holds.
  void ForgetSnapshot() { last_.reset(); }
  void set_data(bool data) { data_ = data; }
  // Every snapshot reads the whole catalog (repeatable migrations run with
  // the versions and change what no version's statements name).
  void set_full_only(bool full) { full_only_ = full; }

 private:
  const std::vector<Migration>& migrations_;
  std::optional<Snapshot> last_;
  bool last_full_ = true;  // last_ is a full read, not merged for a scope
  bool full_only_ = false;
  bool no_inherits_ = false;  // PostgreSQL: pg_inherits was empty and no unscoped version ran since
  internal::CatalogCache cache_;  // catalog reads shared by all snapshots of the run
  bool data_ = false;             // --data: compare rows too
};

// The scratch database and an engine on it, rebuilt from empty on demand.
class Scratch {
 public:
  Scratch(const EngineOptions& options, std::unique_ptr<internal::ScratchDatabase> db)
      : options_(options), db_(std::move(db)) {}
  Status Open() {
    auto e = db_->OpenEngine(options_);
    if (!e.ok()) return e.status();
    engine_ = std::move(e).value();
    return Status::Ok();
  }
  Engine& engine() { return *engine_; }
  const std::string& description() const { return db_->description(); }
  // Empties the database and replays the ups up to `version` (none when empty).
  Status Rebuild(const std::string& version) {
    engine_.reset();
    if (Status s = db_->Reset(); !s.ok()) return s;
    if (Status s = Open(); !s.ok()) return s;
    if (version.empty()) return Status::Ok();
    return MigrateTo(version);
  }
  Status MigrateTo(const std::string& version) {
    MigrateOptions to;
    to.to = version;
    return engine_->Migrate(to);
  }

 private:
  const EngineOptions& options_;
  std::unique_ptr<internal::ScratchDatabase> db_;
  std::unique_ptr<Engine> engine_;
};

// True when `word` occurs in `text` not inside a longer identifier.
bool ContainsWord(const std::string& text, const std::string& word) {
  if (word.empty()) return false;
  auto ident = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  for (size_t p = text.find(word); p != std::string::npos; p = text.find(word, p + 1)) {
    const size_t e = p + word.size();
    if ((p == 0 || !ident(text[p - 1])) && (e >= text.size() || !ident(text[e]))) return true;
  }
  return false;
}

std::string Label(const Migration& m) { return m.version + "_" + m.name; }

// Which newer version's incomplete down made `error` happen in the whole-history
// pass: the nearest one whose leftover (or wrongly dropped) object the error
// names; else the newer versions with incomplete downs; "" when none.
std::string Cause(const std::vector<Migration>& migrations, const std::vector<std::vector<SchemaChange>>& downs,
                  size_t j, size_t top, const std::string& error) {
  std::string suspects;
  for (size_t k = j + 1; k <= top; ++k) {
    for (const SchemaChange& c : downs[k]) {
      const SchemaObject& o = c.kind == SchemaChange::Kind::kAdded ? c.after : c.before;
      const std::string shortname = o.table.empty() ? o.name : o.name.substr(o.table.size() + 1);
      const size_t dot = shortname.rfind('.');  // PostgreSQL: schema.name
      if (ContainsWord(error, dot == std::string::npos ? shortname : shortname.substr(dot + 1))) {
        return "caused by " + Label(migrations[k]) + ", whose " + DownMessage(c);
      }
    }
    if (!downs[k].empty() && suspects.find(Label(migrations[k])) == std::string::npos) {
      suspects += (suspects.empty() ? "" : ", ") + Label(migrations[k]);
    }
  }
  return suspects.empty() ? "" : "newer versions whose downs are incomplete: " + suspects;
}

}  // namespace

SnapshotOptions SnapshotOptionsFor(const EngineOptions& options) {
  SnapshotOptions o;
  const std::string& t = options.history_table;
  const std::string suffix = "_history";
  const std::string stem = t.size() > suffix.size() && t.compare(t.size() - suffix.size(), suffix.size(), suffix) == 0
                               ? t.substr(0, t.size() - suffix.size())
                               : t;
  o.exclude_tables = {t, stem + "_log", t + "_meta", stem + "_repeatable"};
  return o;
}

bool VerifyReport::ok() const {
  return std::all_of(versions.begin(), versions.end(), [](const VerifiedVersion& v) { return v.findings.empty(); });
}

Result<VerifyReport> Verify(const EngineOptions& options, const VerifyOptions& verify) {
  auto db = internal::ScratchDatabase::Create(options, verify.scratch_url);
  if (!db.ok()) return db.status();
  Scratch scratch(options, std::move(db).value());
  VerifyReport report;
  report.scratch = scratch.description();
  if (Status s = scratch.Open(); !s.ok()) return s;
  auto listed = internal::MigrationDirectoryOf(options)->List(scratch.engine().driver().dialect());
  if (!listed.ok()) return listed.status();
  const std::vector<Migration>& migrations = listed.value();
  size_t first = 0;
  if (verify.from) {
    auto it = std::find_if(migrations.begin(), migrations.end(),
                           [&](const Migration& m) { return CompareVersions(m.version, *verify.from) >= 0; });
    if (it == migrations.end() || CompareVersions(it->version, *verify.from) != 0) {
      return Status(Code::kNotFound, "--from " + *verify.from + ": no such version -- the migration status lists the versions")
          .set_remedy(Remedy::kInspectStatus);
    }
    first = static_cast<size_t>(it - migrations.begin());
  }
  // Why the versions from here on are not verified; "" while they are.
  std::string blocked;
  if (first > 0) {
    if (Status s = scratch.MigrateTo(migrations[first - 1].version); !s.ok()) {
      blocked = "the clean replay of the versions before --from " + *verify.from + " fails: " + Relocate(s.message()).text;
    }
  }
  Verifier v(migrations);
  v.set_data(verify.data);
  auto repeatables = internal::ListRepeatables(internal::MigrationsDirOf(options), options.base_dir, scratch.engine().driver().dialect());
  v.set_full_only(!repeatables.ok() || !repeatables->empty());
  std::vector<std::vector<SchemaChange>> downs(migrations.size());
  std::vector<size_t> index_of(migrations.size());  // migration index -> report.versions index
  // The newest version whose clean state exists (its up works from a clean replay).
  std::optional<size_t> top;
  // The version whose clean state the scratch database is at; nullopt when unknown.
  std::optional<size_t> at = first > 0 && blocked.empty() ? std::optional<size_t>(first - 1) : std::nullopt;
  for (size_t i = first; i < migrations.size(); ++i) {
    VerifiedVersion done;
    if (!blocked.empty()) {
      done.version = migrations[i].version;
      done.name = migrations[i].name;
      done.state = "not-verified";
      done.reason = blocked;
    } else {
      auto step = v.Step(scratch.engine(), i, &done, &downs[i]);
      if (!step.ok()) {
        Status s = step.status();
        s.Prepend(Label(migrations[i]) + ": ");
        return s;
      }
      at.reset();
      if (step.value() == After::kUpFails) {
        blocked = "the up of " + Label(migrations[i]) + " fails on a clean replay, so no later state can be reached";
      } else {
        top = i;
        if (step.value() == After::kClean) {
          at = i;
        } else if (Status s = scratch.Rebuild(migrations[i].version); s.ok()) {
          at = i;
        } else {
          blocked = "rebuilding the scratch database to the clean state of " + Label(migrations[i]) +
                    " failed: " + Relocate(s.message()).text;
        }
      }
      if (verify.fail_fast && !done.findings.empty() && blocked.empty()) {
        blocked = "--fail-fast: verify stopped after " + Label(migrations[i]) + " failed";
      }
    }
    index_of[i] = report.versions.size();
    if (verify.on_version) verify.on_version(done);
    report.versions.push_back(std::move(done));
  }
  // The whole-history pass, as the plain clients run it: all ups, then all
  // downs newest first. A down that worked right after its own up can still
  // fail here, when a newer version's down left the schema another way.
  if (verify.fail_fast && !report.ok()) return report;
  if (!top) return report;
  if (at != top) {
    if (Status s = scratch.Rebuild(migrations[*top].version); !s.ok()) return report;
  }
  v.ForgetSnapshot();
  // A down runs here unless it cannot (irreversible) or already failed alone.
  auto runnable = [&](size_t k) {
    const std::vector<VerifyFinding>& f = report.versions[index_of[k]].findings;
    return !migrations[k].up.directives.irreversible &&
           std::none_of(f.begin(), f.end(), [](const VerifyFinding& x) { return x.rule == "verify-down-fails"; });
  };
  for (size_t j = *top + 1; j-- > first;) {
    Status s = Status::Ok();
    if (runnable(j)) {
      // The downs from j to the next one that cannot run, in one engine call
      // (the engine stops at the first that fails and says which).
      size_t stop = j;
      while (stop > first && runnable(stop - 1)) --stop;
      DownOptions down;
      if (stop > 0) {
        down.to = migrations[stop - 1].version;
      } else {
        down.all = true;
      }
      s = scratch.engine().Down(down);
      if (s.ok()) {
        if (stop == first) break;
        j = stop;  // the next round is the version that cannot run
        continue;
      }
      // The newest version still applied is the one whose down failed.
      if (auto st = scratch.engine().GetStatus(); st.ok()) {
        for (size_t k = stop; k <= j; ++k) {
          if (CompareVersions(migrations[k].version, st->current_version) == 0) {
            j = k;
            break;
          }
        }
      }
    }
    VerifiedVersion& out = report.versions[index_of[j]];
    const Migration& m = migrations[j];
    if (!s.ok()) {
      Located l = Relocate(s.message());
      const std::string cause = Cause(migrations, downs, j, *top, l.text);
      out.findings.push_back({m.version, m.name, "verify-history-down-fails",
                              l.path.empty() ? (m.down ? m.down->path : m.up.path) : l.path, l.line, l.column,
                              Label(m) + ": down fails in the whole-history pass (all ups, then the downs of the "
                                         "newer versions): " + l.text + (cause.empty() ? "" : "; " + cause)});
      out.state = "failed";
      out.reason.clear();
    }
    // This down cannot run here: go on from the clean state of the version before.
    if (j == first) break;
    if (Status r = scratch.Rebuild(migrations[j - 1].version); !r.ok()) break;
  }
  return report;
}

Result<DriftReport> CheckDrift(Engine& live, const DriftOptions& drift) {
  auto status = live.GetStatus();
  if (!status.ok()) return status.status();
  DriftReport report;
  report.applied_version = status->current_version;
  std::set<std::string> applied;
  for (const VersionStatus& v : status->versions) {
    if (v.state == VersionState::kFailed || v.state == VersionState::kRunning) {
      return Status(Code::kDirty, "version " + v.version + " is " + VersionStateName(v.state) +
                                      " on the live database -- finish or repair it before checking drift");
    }
    if (!v.row) continue;
    applied.insert(v.version);
    if (v.state == VersionState::kMissingFile) {
      report.notes.push_back("version " + v.version + " is applied but its files are missing; the replay cannot "
                             "run it");
    } else if (v.state == VersionState::kChecksumChanged) {
      report.notes.push_back("version " + v.version + "'s up.sql changed since it was applied; the replay runs "
                             "the current file");
    }
  }
  auto scratch = internal::ScratchDatabase::Create(live.options(), drift.scratch_url);
  if (!scratch.ok()) return scratch.status();
  {
    auto engine = scratch.value()->OpenEngine(live.options());
    if (!engine.ok()) return engine.status();
    Engine& e = *engine.value();
    if (!report.applied_version.empty()) {
      MigrateOptions to;
      to.to = report.applied_version;
      if (Status s = e.Migrate(to); !s.ok()) {
        return Status(Code::kCheckFailed, "replaying the applied migrations on the " +
                                              scratch.value()->description() + " failed: " + s.message());
      }
    }
    auto replayed_status = e.GetStatus();
    if (!replayed_status.ok()) return replayed_status.status();
    for (const VersionStatus& v : replayed_status->versions) {
      if (v.row && !applied.count(v.version)) {
        report.notes.push_back("version " + v.version + " is pending on the live database but older than " +
                               report.applied_version + "; the replay applied it");
      }
    }
    auto replayed = Snap(e);
    if (!replayed.ok()) return replayed.status();
    auto actual = Snap(live);
    if (!actual.ok()) return actual.status();
    report.changes = DiffSnapshots(replayed.value(), actual.value());
    for (const SchemaChange& c : report.changes) report.messages.push_back(DriftMessage(c));
  }
  return report;
}

}  // namespace dbroll
