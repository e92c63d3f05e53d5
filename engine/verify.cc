// verify and drift: replay migrations on a scratch database through the
// ordinary Engine, and compare schema snapshots taken between the steps.
#include "dbroll/verify.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <set>

#include "dbroll/source.h"
#include "engine/scratch.h"

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

class Verifier {
 public:
  Verifier(Engine& scratch, const std::vector<Migration>& migrations) : e_(scratch), migrations_(migrations) {}

  // Verifies migrations_[i]; false when later versions cannot be verified.
  Result<bool> Step(size_t i, VerifiedVersion* out) {
    const Migration& m = migrations_[i];
    const std::string label = m.version + "_" + m.name;
    const std::string down_path = m.down ? m.down->path : m.up.path;
    auto add = [&](const std::string& rule, const std::string& path, const std::string& message, int line = 0,
                   int column = 0) {
      out->findings.push_back({m.version, m.name, rule, path, line, column, label + ": " + message});
      out->outcome = "failed";
    };
    out->version = m.version;
    out->name = m.name;
    out->outcome = "ok";
    // The schema after the previous version's second up is this version's
    // starting point: reuse it rather than read the catalog again.
    Result<Snapshot> before = last_ ? Result<Snapshot>(*last_) : Snap(e_);
    last_.reset();
    if (!before.ok()) return before.status();
    MigrateOptions up;
    up.to = m.version;
    if (Status s = e_.Migrate(up); !s.ok()) {
      Located l = Relocate(s.message());
      add("verify-up-fails", l.path.empty() ? m.up.path : l.path, "up fails: " + l.text, l.line, l.column);
      return false;
    }
    auto after_up = Snap(e_);
    if (!after_up.ok()) return after_up.status();
    if (m.up.directives.irreversible) {
      out->outcome = "skipped";
      last_ = std::move(after_up).value();
      return true;
    }
    DownOptions down;
    down.steps = 1;
    if (Status s = e_.Down(down); !s.ok()) {
      Located l = Relocate(s.message());
      add("verify-down-fails", l.path.empty() ? down_path : l.path, "down fails: " + l.text, l.line, l.column);
      // kMigrationFailed means the database was not changed (a rolled-back
      // transaction, or the first statement of a non-transactional script),
      // so the next version still starts from this version's up; after
      // kDirty the scratch state is unknown.
      if (s.code() != Code::kMigrationFailed) return false;
      last_ = after_up.value();
      return true;
    }
    auto after_down = Snap(e_);
    if (!after_down.ok()) return after_down.status();
    for (const SchemaChange& c : DiffSnapshots(before.value(), after_down.value())) {
      add("verify-down-incomplete", down_path, DownMessage(c));
    }
    if (Status s = e_.Migrate(up); !s.ok()) {
      Located l = Relocate(s.message());
      add("verify-up-not-repeatable", l.path.empty() ? m.up.path : l.path, "up fails after down: " + l.text,
          l.line, l.column);
      return false;
    }
    auto again = Snap(e_);
    if (!again.ok()) return again.status();
    std::vector<SchemaChange> changes = DiffSnapshots(after_up.value(), again.value());
    if (!changes.empty()) {
      std::string detail;
      for (const SchemaChange& c : changes) detail += (detail.empty() ? "" : "; ") + RepeatMessage(c);
      add("verify-up-not-repeatable", m.up.path, "the second up differs from the first: " + detail);
    }
    last_ = std::move(again).value();
    return true;
  }

 private:
  Engine& e_;
  const std::vector<Migration>& migrations_;
  std::optional<Snapshot> last_;
};

}  // namespace

SnapshotOptions SnapshotOptionsFor(const EngineOptions& options) {
  SnapshotOptions o;
  const std::string& t = options.history_table;
  const std::string suffix = "_history";
  const std::string stem = t.size() > suffix.size() && t.compare(t.size() - suffix.size(), suffix.size(), suffix) == 0
                               ? t.substr(0, t.size() - suffix.size())
                               : t;
  o.exclude_tables = {t, stem + "_log", t + "_meta"};
  return o;
}

bool VerifyReport::ok() const {
  return std::all_of(versions.begin(), versions.end(), [](const VerifiedVersion& v) { return v.findings.empty(); });
}

Result<VerifyReport> Verify(const EngineOptions& options, const VerifyOptions& verify) {
  auto scratch = internal::ScratchDatabase::Create(options, verify.scratch_url);
  if (!scratch.ok()) return scratch.status();
  VerifyReport report;
  report.scratch = scratch.value()->description();
  {
    auto engine = scratch.value()->OpenEngine(options);
    if (!engine.ok()) return engine.status();
    Engine& e = *engine.value();
    auto dialect = DialectOfUrl(options.url);
    if (!dialect.ok()) return dialect.status();
    std::filesystem::path dir = options.migrations_dir;
    if (dir.is_relative() && !options.base_dir.empty()) dir = std::filesystem::path(options.base_dir) / dir;
    auto migrations = MigrationSource::Directory(dir.string(), options.base_dir)->List(e.driver().dialect());
    if (!migrations.ok()) return migrations.status();
    size_t first = 0;
    if (verify.from) {
      auto it = std::find_if(migrations->begin(), migrations->end(),
                             [&](const Migration& m) { return CompareVersions(m.version, *verify.from) >= 0; });
      if (it == migrations->end() || CompareVersions(it->version, *verify.from) != 0) {
        return Status(Code::kNotFound, "--from " + *verify.from + ": no such version -- see dbroll status");
      }
      first = static_cast<size_t>(it - migrations->begin());
      if (first > 0) {
        MigrateOptions to;
        to.to = (*migrations)[first - 1].version;
        if (Status s = e.Migrate(to); !s.ok()) {
          return Status(Code::kCheckFailed, "bringing the scratch database to " + *to.to + " before --from " +
                                                *verify.from + ": " + s.message());
        }
      }
    }
    Verifier v(e, migrations.value());
    bool can_go_on = true;
    for (size_t i = first; i < migrations->size(); ++i) {
      VerifiedVersion done;
      if (!can_go_on) {
        done.version = (*migrations)[i].version;
        done.name = (*migrations)[i].name;
        done.outcome = "not-verified";
      } else {
        auto step = v.Step(i, &done);
        if (!step.ok()) {
          Status s = step.status();
          s.Prepend((*migrations)[i].version + "_" + (*migrations)[i].name + ": ");
          return s;
        }
        can_go_on = step.value();
      }
      if (verify.on_version) verify.on_version(done);
      report.versions.push_back(std::move(done));
    }
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
