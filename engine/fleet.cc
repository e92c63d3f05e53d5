// dbroll::Fleet: the ordinary Engine over many targets, with a worker pool,
// a canary, waves, a failure budget and rollback of what the run migrated.
#include "dbroll/fleet.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <mutex>
#include <random>
#include <thread>

#include "dbroll/driver.h"
#include "dbroll/source.h"
#include "dbroll/url.h"
#include "dbroll/verify.h"
#include "engine/open_options.h"
#include "engine/fleet_internal.h"

namespace dbroll {
namespace {

using Clock = std::chrono::steady_clock;

std::string NowUtc() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  const long long ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03lldZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
  return buf;
}

std::string NewRunId() {
  std::string id = NowUtc();
  id.erase(std::remove_if(id.begin(), id.end(), [](char c) { return c == '-' || c == ':' || c == '.'; }), id.end());
  std::random_device rd;
  char suffix[8];
  std::snprintf(suffix, sizeof suffix, "-%04x", static_cast<unsigned>(rd() & 0xffff));
  return id + suffix;
}

long long MsSince(Clock::time_point t0) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0).count();
}

// The migrations, read once for every target (per dialect: a target may
// pick up.<dialect>.sql files).
class SharedMigrations {
 public:
  explicit SharedMigrations(std::unique_ptr<MigrationSource> source) : source_(std::move(source)) {}
  Result<std::vector<Migration>> List(Dialect d) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = cache_.find(d);
    if (it == cache_.end()) it = cache_.emplace(d, source_->List(d)).first;
    return it->second;
  }

 private:
  std::mutex mu_;
  std::unique_ptr<MigrationSource> source_;
  std::map<Dialect, Result<std::vector<Migration>>> cache_;
};

class SharedSource : public MigrationSource {
 public:
  explicit SharedSource(std::shared_ptr<SharedMigrations> m) : m_(std::move(m)) {}
  Result<std::vector<Migration>> List(Dialect d) override { return m_->List(d); }

 private:
  std::shared_ptr<SharedMigrations> m_;
};

// Remembers the newest version a run finished (up) or the oldest it
// undid (down), so from/to are known without reading the history again.
class TargetObserver : public Observer {
 public:
  void OnMigrationDone(const Migration& m, Direction d, std::chrono::milliseconds) override {
    (d == Direction::kUp ? last_up : last_down) = m.version;
  }
  std::string last_up, last_down;
};

std::string Quote(const std::string& s, Dialect d) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += "''";
    else if (c == '\\' && d == Dialect::kMysql) out += "\\\\";
    else out += c;
  }
  return out + "'";
}

std::string Redact(const std::string& text, const std::string& url) {
  auto u = ParseUrl(url);
  std::string out = text;
  const std::string redacted = RedactUrl(url);
  for (size_t p = out.find(url); p != std::string::npos; p = out.find(url, p + redacted.size())) {
    out.replace(p, url.size(), redacted);
  }
  return u.ok() && u->has_password ? RedactSecret(out, u->password) : out;
}

class FleetImpl : public Fleet {
 public:
  FleetImpl(Config config, std::vector<std::string> targets)
      : config_(std::move(config)), targets_(std::move(targets)) {
    migrations_ = std::make_shared<SharedMigrations>(internal::MigrationDirectoryOf(config_.engine));
    if (config_.engine.applied_by.empty()) config_.engine.applied_by = DefaultActor();
  }

  Result<FleetReport> Migrate(const FleetOptions& o) override {
    return Run("migrate", o, [&](Engine& e, TargetObserver& obs, FleetTargetResult* r) {
      auto st = e.GetStatus();
      if (!st.ok()) return st.status();
      r->from_version = r->to_version = st->current_version;
      Status s = e.Migrate(o.migrate);
      if (!obs.last_up.empty()) r->to_version = obs.last_up;
      return s;
    });
  }

  Result<FleetReport> Down(const FleetOptions& o) override {
    return Run("down", o, [&](Engine& e, TargetObserver&, FleetTargetResult* r) {
      auto st = e.GetStatus();
      if (!st.ok()) return st.status();
      r->from_version = st->current_version;
      Status s = e.Down(o.down);
      auto after = e.GetStatus();
      r->to_version = after.ok() ? after->current_version : r->from_version;
      return s;
    });
  }

  Result<FleetReport> GetStatus(const FleetOptions& o) override {
    auto report = Run("status", o, [&](Engine& e, TargetObserver&, FleetTargetResult* r) -> Status {
      auto st = e.GetStatus();
      if (!st.ok()) return st.status();
      r->from_version = r->to_version = st->current_version;
      for (const VersionStatus& v : st->versions) {
        if (v.state == VersionState::kPending) ++r->pending;
        if (v.state == VersionState::kFailed || v.state == VersionState::kRunning) {
          return Status(Code::kDirty, v.version + " is " + VersionStateName(v.state) +
                                          (v.row && v.row->error ? ": " + *v.row->error : std::string()));
        }
        if (v.state == VersionState::kChecksumChanged) {
          return Status(Code::kCheckFailed, v.version + ": its up.sql changed after it was applied");
        }
      }
      return Status::Ok();
    });
    if (report.ok()) AddLastRunErrors(&report.value());
    return report;
  }

  Result<FleetReport> Verify(const FleetOptions& o) override {
    return Run("verify", o, [&](Engine& e, TargetObserver&, FleetTargetResult* r) -> Status {
      auto st = e.GetStatus();
      if (!st.ok()) return st.status();
      r->from_version = r->to_version = st->current_version;
      auto problems = e.Validate();
      if (!problems.ok()) return problems.status();
      std::string msg;
      for (const Problem& p : problems.value()) {
        if (p.kind == ProblemKind::kOther) continue;
        msg += (msg.empty() ? "" : "; ") + (p.path.empty() ? p.version : p.path) + ": " + p.message;
      }
      auto drift = CheckDrift(e, {});
      if (!drift.ok()) return drift.status();
      for (const std::string& m : drift->messages) msg += (msg.empty() ? "drift: " : "; drift: ") + m;
      if (!msg.empty()) return Status(Code::kCheckFailed, msg);
      return Status::Ok();
    });
  }

  Result<std::vector<FleetReport>> Runs(int limit) override;
  const std::vector<std::string>& targets() const override { return targets_; }

 private:
  using TargetFn = std::function<Status(Engine&, TargetObserver&, FleetTargetResult*)>;

  FleetTargetResult RunOne(const std::string& url, bool read_only, const TargetFn& fn) {
    const auto t0 = Clock::now();
    FleetTargetResult r;
    r.target = RedactUrl(url);
    EngineOptions eo = config_.engine;
    eo.url = url;
    eo.read_only = read_only;
    // A SQLite tenant stays file-locked for its whole run (not only while a
    // migration commits): a third of the system calls, and workers do not
    // queue on SQLite's process-wide VFS mutex (see the SQLite driver).
    eo.driver_settings.emplace("sqlite.hold_file_lock", "on");
    TargetObserver obs;
    Status s;
    DriverOptions d = internal::DriverOptionsOf(eo);
    // A worker's session goes on to the next target of the same server: no
    // connection start (and no cold server caches) per PostgreSQL schema.
    d.sessions = sessions_;
    if (auto driver = OpenDriver(d); !driver.ok()) {
      s = driver.status();
    } else if (auto e = Engine::Open(std::move(driver).value(), std::make_unique<SharedSource>(migrations_), eo, &obs);
               !e.ok()) {
      s = e.status();
    } else {
      s = fn(**e, obs, &r);
    }
    r.ms = MsSince(t0);
    r.outcome = s.ok() ? "ok" : "failed";
    if (!s.ok()) r.error = Redact(s.ToString(), url);
    return r;
  }

  // Runs `fn` on `batch` with the pool; stops taking targets once `stop()`.
  void Pool(const std::vector<size_t>& batch, int parallel, bool read_only, const TargetFn& fn,
            const std::function<bool()>& stop, const std::function<void(size_t, FleetTargetResult)>& done) {
    std::atomic<size_t> next{0};
    auto worker = [&] {
      for (;;) {
        if (stop()) return;
        const size_t i = next.fetch_add(1);
        if (i >= batch.size()) return;
        done(batch[i], RunOne(targets_[batch[i]], read_only, fn));
      }
    };
    const int n = std::max(1, std::min<int>(parallel, static_cast<int>(batch.size())));
    std::vector<std::thread> threads;
    for (int k = 1; k < n; ++k) threads.emplace_back(worker);
    worker();
    for (auto& t : threads) t.join();
  }

  Result<FleetReport> Run(const std::string& action, const FleetOptions& o, const TargetFn& fn);
  // A failed migration leaves no trace in a transactional target's history:
  // targets still behind that the last fleet migrate failed on get its error.
  void AddLastRunErrors(FleetReport* report);
  Status Record(const FleetReport& report, bool start);
  Result<std::unique_ptr<Driver>> OpenState();

  Config config_;
  std::vector<std::string> targets_;
  std::shared_ptr<SharedMigrations> migrations_;
  std::unique_ptr<Driver> state_;
  std::shared_ptr<SessionPool> sessions_;  // during Run: the workers' idle sessions
};

Result<FleetReport> FleetImpl::Run(const std::string& action, const FleetOptions& o, const TargetFn& fn) {
  if (o.parallel < 0 || o.canary < 0 || o.wave_size < 0 || o.max_failures < 0) {
    return Status(Code::kInvalidArgument, "fleet: parallel, canary, wave size and max failures must not be negative");
  }
  const bool read_only = action == "status" || action == "verify";
  const bool recorded = action != "status";
  FleetReport report;
  report.action = action;
  report.started = NowUtc();
  // Unreadable migrations stop the run before any target is touched.
  {
    auto dialect = DialectOfUrl(targets_.empty() ? std::string("sqlite:") : targets_.front());
    auto list = migrations_->List(dialect.ok() ? dialect.value() : Dialect::kSqlite);
    if (!list.ok()) return list.status();
    if (!list->empty()) report.newest_version = list->back().version;
  }
  if (recorded) {
    report.run_id = NewRunId();
    DBROLL_RETURN_IF_ERROR(Record(report, true));
  }
  int parallel = o.parallel;
  if (parallel == 0) parallel = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  // One idle session per worker at most; closed when the run ends.
  sessions_ = std::make_shared<SessionPool>(static_cast<size_t>(parallel));
  struct CloseSessions {
    std::shared_ptr<SessionPool>* p;
    ~CloseSessions() { p->reset(); }
  } close_sessions{&sessions_};

  std::mutex mu;
  int failures = 0;
  std::atomic<bool> stopped{false};
  std::vector<bool> started(targets_.size(), false);
  std::vector<size_t> finish_order;  // target index of each entry of report.targets
  auto done = [&](size_t i, FleetTargetResult r) {
    std::lock_guard<std::mutex> lock(mu);
    started[i] = true;
    finish_order.push_back(i);
    if (r.outcome != "ok" && ++failures >= o.max_failures && o.max_failures > 0 && !stopped) {
      stopped = true;
      report.stop_reason = "stopped starting targets after " + std::to_string(failures) +
                           " failure(s) (max failures " + std::to_string(o.max_failures) + ")";
    }
    report.targets.push_back(r);
    if (o.on_target) o.on_target(r);
  };
  auto stop = [&] { return stopped.load(); };
  auto notice = [&](const std::string& m) {
    if (o.on_notice) o.on_notice(m);
  };

  std::vector<size_t> order(targets_.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  size_t pos = 0;
  if (o.canary > 0 && !read_only) {
    const size_t k = std::min<size_t>(o.canary, order.size());
    notice("canary: " + std::to_string(k) + " target(s) first");
    Pool({order.begin(), order.begin() + static_cast<long>(k)}, parallel, read_only, fn, stop, done);
    pos = k;
    if (failures > 0) {
      stopped = true;
      report.stop_reason = "the canary failed on " + std::to_string(failures) + " of " + std::to_string(k) +
                           " target(s); the rest were not started";
    } else if (o.canary_gate && pos < order.size()) {
      Status g = o.canary_gate();
      if (!g.ok()) {
        stopped = true;
        report.stop_reason = "the canary gate failed: " + g.message() + "; the rest were not started";
      } else {
        notice("canary gate passed");
      }
    }
  }
  const size_t wave = o.wave_size > 0 && !read_only ? static_cast<size_t>(o.wave_size) : order.size();
  while (pos < order.size() && !stopped) {
    const size_t end = std::min(order.size(), pos + wave);
    if (wave < order.size()) notice("wave: targets " + std::to_string(pos + 1) + "-" + std::to_string(end));
    Pool({order.begin() + static_cast<long>(pos), order.begin() + static_cast<long>(end)}, parallel, read_only, fn,
         stop, done);
    pos = end;
  }
  const size_t finished = report.targets.size();
  for (size_t i = 0; i < targets_.size(); ++i) {
    if (started[i]) continue;
    FleetTargetResult r;
    r.target = RedactUrl(targets_[i]);
    r.outcome = "skipped";
    report.targets.push_back(r);
  }
  // The budget ran out with the last targets already running: nothing was held back.
  if (report.targets.size() == finished) report.stop_reason.clear();

  if (o.rollback_on_failure && action == "migrate" && failures > 0) {
    // Newest first: the target that finished last is rolled back first.
    std::vector<size_t> back;
    std::map<std::string, std::string> back_to;  // url -> the version it had before this run
    for (size_t k = finished; k-- > 0;) {
      const FleetTargetResult& r = report.targets[k];
      if (r.to_version == r.from_version) continue;
      back.push_back(finish_order[k]);
      back_to[targets_[finish_order[k]]] = r.from_version;
    }
    if (!back.empty()) notice("rolling back " + std::to_string(back.size()) + " target(s) this run migrated");
    std::vector<FleetTargetResult> rolled;
    Pool(back, parallel, false,
         [&](Engine& e, TargetObserver&, FleetTargetResult* r) -> Status {
           const std::string& to = back_to.at(e.options().url);
           DownOptions d;
           d.down_source = DownSource::kStored;
           if (to.empty()) d.all = true;
           else d.to = to;
           auto st = e.GetStatus();
           if (!st.ok()) return st.status();
           r->from_version = st->current_version;
           Status s = e.Down(d);
           auto after = e.GetStatus();
           r->to_version = after.ok() ? after->current_version : r->from_version;
           return s;
         },
         [] { return false; },
         [&](size_t, FleetTargetResult r) {
           r.outcome = r.outcome == "ok" ? "rolled-back" : "rollback-failed";
           std::lock_guard<std::mutex> lock(mu);
           rolled.push_back(r);
           if (o.on_target) o.on_target(r);
         });
    for (auto& r : rolled) report.targets.push_back(std::move(r));
  }
  report.finished = NowUtc();
  if (recorded) DBROLL_RETURN_IF_ERROR(Record(report, false));
  return report;
}

void FleetImpl::AddLastRunErrors(FleetReport* report) {
  DriverOptions d;
  d.url = config_.Get("fleet", "state_url", "sqlite:.dbroll-fleet.db");
  d.base_dir = config_.engine.base_dir;
  d.settings = config_.engine.driver_settings;
  d.history_table = "dbroll_fleet_runs";
  d.read_only = true;
  auto state = OpenDriver(d);
  if (!state.ok()) return;  // no record yet, or unreachable: status reads the targets only
  auto rows = (*state)->Query(
      "SELECT t.target, t.error, t.run_id FROM dbroll_fleet_targets t WHERE t.outcome = 'failed' AND t.run_id = "
      "(SELECT run_id FROM dbroll_fleet_runs WHERE action = 'migrate' ORDER BY started DESC LIMIT 1)");
  if (!rows.ok()) return;
  for (const Row& row : rows.value()) {
    for (FleetTargetResult& t : report->targets) {
      if (t.target != row[0].value_or("") || !t.error.empty()) continue;
      if (t.to_version == report->newest_version && t.pending == 0) continue;  // fixed since
      t.outcome = "failed";
      t.error = "the last fleet migrate (run " + row[2].value_or("") + ") failed here: " + row[1].value_or("");
    }
  }
}

Result<std::unique_ptr<Driver>> FleetImpl::OpenState() {
  DriverOptions d;
  d.url = config_.Get("fleet", "state_url", "sqlite:.dbroll-fleet.db");
  d.base_dir = config_.engine.base_dir;
  d.settings = config_.engine.driver_settings;
  d.history_table = "dbroll_fleet_runs";
  auto driver = OpenDriver(d);
  if (!driver.ok()) {
    return Status(driver.status().code(),
                  "[fleet] state_url " + RedactUrl(d.url) + ": " + Redact(driver.status().message(), d.url) +
                      " -- fix state_url (the fleet run record); no target was touched");
  }
  return driver;
}

Status FleetImpl::Record(const FleetReport& report, bool start) {
  if (!state_) {
    auto d = OpenState();
    if (!d.ok()) return d.status();
    state_ = std::move(d).value();
    const bool my = state_->dialect() == Dialect::kMysql;
    const std::string text = my ? "longtext" : "text";
    for (const std::string& sql :
         {"CREATE TABLE IF NOT EXISTS dbroll_fleet_runs (run_id varchar(64) NOT NULL PRIMARY KEY, action varchar(16) "
          "NOT NULL, started varchar(32) NOT NULL, finished varchar(32), outcome varchar(16) NOT NULL, targets "
          "integer NOT NULL, failed integer NOT NULL, stop_reason " +
              text + ")",
          "CREATE TABLE IF NOT EXISTS dbroll_fleet_targets (run_id varchar(64) NOT NULL, seq integer NOT NULL, "
          "target " +
              text + " NOT NULL, outcome varchar(16) NOT NULL, from_version varchar(64), to_version varchar(64), ms "
                     "bigint NOT NULL, error " +
              text + ", PRIMARY KEY (run_id, seq))"}) {
      Statement st;
      st.text = sql;
      if (Status s = state_->RunStatement(st); !s.ok()) {
        return s.Prepend("[fleet] state_url: cannot create the fleet run record: ");
      }
    }
  }
  const Dialect dl = state_->dialect();
  auto q = [&](const std::string& s) { return Quote(s, dl); };
  std::vector<std::string> sql;
  if (start) {
    sql.push_back("INSERT INTO dbroll_fleet_runs (run_id, action, started, outcome, targets, failed) VALUES (" +
                  q(report.run_id) + ", " + q(report.action) + ", " + q(report.started) + ", 'running', " +
                  std::to_string(targets_.size()) + ", 0)");
  } else {
    int seq = 0;
    for (const FleetTargetResult& t : report.targets) {
      sql.push_back("INSERT INTO dbroll_fleet_targets VALUES (" + q(report.run_id) + ", " + std::to_string(seq++) +
                    ", " + q(t.target) + ", " + q(t.outcome) + ", " + q(t.from_version) + ", " + q(t.to_version) +
                    ", " + std::to_string(t.ms) + ", " + (t.error.empty() ? "NULL" : q(t.error)) + ")");
    }
    sql.push_back("UPDATE dbroll_fleet_runs SET finished = " + q(report.finished) + ", outcome = " +
                  q(report.ok() ? "ok" : "failed") + ", failed = " + std::to_string(report.failed()) +
                  ", stop_reason = " + (report.stop_reason.empty() ? "NULL" : q(report.stop_reason)) +
                  " WHERE run_id = " + q(report.run_id));
  }
  Status s = state_->RunTransaction({}, sql);
  if (!s.ok()) return s.Prepend("[fleet] state_url: cannot write the fleet run record: ");
  return Status::Ok();
}

Result<std::vector<FleetReport>> FleetImpl::Runs(int limit) {
  if (!state_) {
    auto d = OpenState();
    if (!d.ok()) return d.status();
    state_ = std::move(d).value();
  }
  auto runs = state_->Query(
      "SELECT run_id, action, started, finished, stop_reason FROM dbroll_fleet_runs ORDER BY started DESC LIMIT " +
      std::to_string(limit));
  if (!runs.ok()) return runs.status();
  std::vector<FleetReport> out;
  for (const Row& row : runs.value()) {
    FleetReport r;
    r.run_id = row[0].value_or("");
    r.action = row[1].value_or("");
    r.started = row[2].value_or("");
    r.finished = row[3].value_or("");
    r.stop_reason = row[4].value_or("");
    auto ts = state_->Query(
        "SELECT target, outcome, from_version, to_version, ms, error FROM dbroll_fleet_targets WHERE run_id = " +
        Quote(r.run_id, state_->dialect()) + " ORDER BY seq");
    if (!ts.ok()) return ts.status();
    for (const Row& t : ts.value()) {
      FleetTargetResult x;
      x.target = t[0].value_or("");
      x.outcome = t[1].value_or("");
      x.from_version = t[2].value_or("");
      x.to_version = t[3].value_or("");
      x.ms = std::atoll(t[4].value_or("0").c_str());
      x.error = t[5].value_or("");
      r.targets.push_back(std::move(x));
    }
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace

int FleetReport::failed() const {
  return static_cast<int>(std::count_if(targets.begin(), targets.end(), [](const FleetTargetResult& t) {
    return t.outcome == "failed" || t.outcome == "rollback-failed";
  }));
}

FleetStatusSummary SummarizeFleetStatus(const FleetReport& report) {
  FleetStatusSummary s;
  for (const FleetTargetResult& t : report.targets) {
    if (t.outcome == "skipped") continue;
    if (!t.error.empty()) {
      s.failed.push_back(&t);
      continue;
    }
    ++s.versions[t.to_version];
    if (t.to_version != report.newest_version || t.pending > 0) s.stragglers.push_back(&t);
  }
  return s;
}

Result<std::unique_ptr<Fleet>> Fleet::Open(const Config& config) {
  auto targets = ResolveFleetTargets(config);
  if (!targets.ok()) return targets.status();
  return Open(config, std::move(targets).value());
}

Result<std::unique_ptr<Fleet>> Fleet::Open(const Config& config, std::vector<std::string> targets) {
  if (targets.empty()) return Status(Code::kInvalidArgument, "fleet: no target -- name at least one database");
  for (const std::string& t : targets) {
    if (auto d = DialectOfUrl(t); !d.ok()) {
      return Status(Code::kInvalidArgument, "fleet target " + RedactUrl(t) + ": " + d.status().message());
    }
  }
  return std::unique_ptr<Fleet>(new FleetImpl(config, std::move(targets)));
}

}  // namespace dbroll
