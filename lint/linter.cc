// The linter core: facts per script, rules per migration, then suppression,
// configured severities and disabled rules.
#include <algorithm>
#include <atomic>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <fnmatch.h>
#include <sstream>

#include "dbroll/driver.h"
#include "dbroll/lint.h"
#include "engine/splitter.h"
#include "lint/rule.h"

namespace dbroll {

const char* SeverityName(Severity s) {
  return s == Severity::kError ? "error" : s == Severity::kWarning ? "warning" : "info";
}

Result<LintTarget> ParseLintTarget(const std::string& text) {
  LintTarget t;
  const size_t colon = text.find(':');
  t.flavor = lint::Lower(text.substr(0, colon));
  if (t.flavor == "postgresql") t.flavor = "postgres";
  if (t.flavor == "sqlite3") t.flavor = "sqlite";
  if (t.flavor == "postgres") {
    t.dialect = Dialect::kPostgres;
    t.major = 15;
  } else if (t.flavor == "mysql") {
    t.dialect = Dialect::kMysql;
    t.major = 8;
  } else if (t.flavor == "mariadb") {
    t.dialect = Dialect::kMysql;
    t.major = 10;
    t.minor = 11;
  } else if (t.flavor == "sqlite") {
    t.dialect = Dialect::kSqlite;
    t.major = 3;
    t.minor = 40;
  } else {
    return Status(Code::kInvalidArgument, "[lint] target \"" + text +
                                              "\" is not known -- use postgres:15, mysql:8.0, mariadb:10.11 or sqlite:3.40");
  }
  if (colon != std::string::npos) {
    const std::string v = text.substr(colon + 1);
    char* end = nullptr;
    const long major = std::strtol(v.c_str(), &end, 10);
    if (end == v.c_str() || (*end != '\0' && *end != '.')) {
      return Status(Code::kInvalidArgument, "[lint] target \"" + text + "\" has a bad version -- write e.g. " +
                                                t.flavor + ":" + std::to_string(t.major));
    }
    t.major = static_cast<int>(major);
    t.minor = *end == '.' ? std::atoi(end + 1) : 0;
  }
  return t;
}

const std::vector<RuleInfo>& LintRules() {
  static const std::vector<RuleInfo> kInfo = [] {
    std::vector<RuleInfo> v;
    for (const auto& r : lint::AllRules()) v.push_back({r.id, r.severity, r.summary});
    std::sort(v.begin(), v.end(), [](const RuleInfo& a, const RuleInfo& b) { return a.id < b.id; });
    return v;
  }();
  return kInfo;
}

namespace {

bool KnownRule(const std::string& id) {
  for (const auto& r : lint::AllRules()) {
    if (id == r.id) return true;
  }
  return false;
}

std::vector<std::string> SplitList(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  std::string item;
  while (std::getline(in, item, ',')) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

}  // namespace

Result<LintOptions> LintOptionsFromConfig(const Config& config) {
  LintOptions o;
  std::string target = config.Get("lint", "target");
  if (target.empty()) {
    auto d = DialectOfUrl(config.engine.url);
    target = d.ok() ? DialectName(d.value()) : "postgres";
  }
  auto t = ParseLintTarget(target);
  if (!t.ok()) return t.status();
  o.target = t.value();
  o.keep_data = config.engine.keep_data;
  for (const auto& id : SplitList(config.Get("lint", "disable"))) {
    if (!KnownRule(id)) {
      return Status(Code::kInvalidArgument, "[lint] disable names unknown rule \"" + id + "\" -- see docs/lint.md");
    }
    o.disabled.insert(id);
  }
  o.skip = SplitList(config.Get("lint", "skip"));
  auto sev = config.sections.find("lint.severity");
  if (sev != config.sections.end()) {
    for (const auto& [id, value] : sev->second) {
      if (!KnownRule(id)) {
        return Status(Code::kInvalidArgument, "[lint.severity] names unknown rule \"" + id + "\" -- see docs/lint.md");
      }
      if (value == "off") {
        o.disabled.insert(id);
      } else if (value == "error" || value == "warning") {
        o.severities[id] = value == "error" ? Severity::kError : Severity::kWarning;
      } else {
        return Status(Code::kInvalidArgument,
                      "[lint.severity] " + id + " = \"" + value + "\" -- use \"error\", \"warning\" or \"off\"");
      }
    }
  }
  // The PostgreSQL driver sets lock_timeout on every session: 5s unless
  // `[postgres] lock_timeout` says otherwise, and "0" turns it off.
  std::string lock_timeout = config.Get("postgres", "lock_timeout");
  auto setting = config.engine.driver_settings.find("postgres.lock_timeout");
  if (lock_timeout.empty() && setting != config.engine.driver_settings.end()) lock_timeout = setting->second;
  if (lock_timeout.empty()) {
    o.session_lock_timeout = true;
  } else {
    auto d = ParseDuration(lock_timeout);
    o.session_lock_timeout = d.ok() && d->count() > 0;
  }
  return o;
}

namespace lint {

namespace {

// Runs fn(0..n-1) on up to four threads (the caller's included), in chunks
// taken in order. Small inputs stay on the calling thread: starting a thread
// costs more than analysing a short script. Results go to per-index slots, so
// the output does not depend on scheduling; an exception is rethrown here.
void ParallelFor(size_t n, const std::function<void(size_t)>& fn) {
  constexpr size_t kMinParallel = 256, kChunk = 32;
  const unsigned hw = std::thread::hardware_concurrency();
  const size_t threads = std::min<size_t>({hw == 0 ? 1 : hw, 4, n / kMinParallel});
  if (threads <= 1) {
    for (size_t i = 0; i < n; ++i) fn(i);
    return;
  }
  std::atomic<size_t> next{0};
  std::mutex mu;
  std::exception_ptr error;
  auto work = [&] {
    try {
      for (size_t b; (b = next.fetch_add(kChunk)) < n;) {
        for (size_t i = b, e = std::min(n, b + kChunk); i < e; ++i) fn(i);
      }
    } catch (...) {
      std::lock_guard<std::mutex> lock(mu);
      if (!error) error = std::current_exception();
      next = n;
    }
  };
  std::vector<std::thread> pool;
  for (size_t t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
  if (error) std::rethrow_exception(error);
}

}  // namespace

ScriptFacts AnalyzeScript(const Script& script, const LintTarget& target) {
  ScriptFacts sf;
  sf.script = &script;
  auto split = internal::SplitStatements(script.path, script.text, target.dialect);
  if (!split.ok()) {
    sf.split_failed = true;
    sf.split_error = split.status().message();
    return sf;
  }
  sf.blank = split->empty();
  auto created = std::make_shared<std::map<std::string, int>>();
  sf.statements.resize(split->size());
  for (size_t i = 0; i < split->size(); ++i) {
    StatementFacts& f = sf.statements[i];
    f.stmt = std::move((*split)[i]);
    f.index = static_cast<int>(i);
    f.created_at = created;
  }
  split->clear();
  split->shrink_to_fit();
  // Each statement is analysed on its own (parsing is most of the time), so
  // a long script is spread over the cores; what one statement learns from
  // the ones before it is gathered afterwards, in order.
  ParallelFor(sf.statements.size(), [&](size_t i) {
    StatementFacts& f = sf.statements[i];
    if (target.dialect == Dialect::kPostgres) {
      AnalyzePostgres(&f);
    } else {
      AnalyzeOtherDialect(&f, target.dialect);
    }
  });
  for (const auto& f : sf.statements) {
    for (const auto& op : f.ops) {
      if (op.kind == OpKind::kCreateTable) created->emplace(op.table, f.index);
      if (op.kind == OpKind::kRenameTable) {
        sf.renamed_from.insert(op.table);
        sf.renamed_to.insert(op.new_name);
      }
    }
  }
  return sf;
}

namespace {

// Lines holding only a `--` comment directly above `line`, which is where a
// statement's `dbroll:allow` may sit.
bool AllowApplies(const Script& s, const Allow& a, int statement_line) {
  if (a.file_wide) return true;
  if (statement_line <= 0 || a.line >= statement_line) return false;
  std::vector<std::string_view> lines;
  std::string_view text = s.text;
  size_t b = 0;
  for (int l = 1; l < statement_line && b <= text.size(); ++l) {
    size_t e = text.find('\n', b);
    if (e == std::string_view::npos) e = text.size();
    lines.push_back(text.substr(b, e - b));
    b = e + 1;
  }
  for (int l = statement_line - 1; l >= 1 && l <= static_cast<int>(lines.size()); --l) {
    std::string_view t = lines[l - 1];
    const size_t p = t.find_first_not_of(" \t\r");
    if (p == std::string_view::npos || t.substr(p, 2) != "--") return false;
    if (l == a.line) return true;
  }
  return false;
}

}  // namespace

bool AllowedWithReason(const Script& s, const std::string& rule, int statement_line) {
  for (const auto& a : s.directives.allows) {
    if (a.rule == rule && !a.reason.empty() && AllowApplies(s, a, statement_line)) return true;
  }
  return false;
}

namespace {

// Start offsets of each line, built once per script with findings.
std::vector<size_t> LineStarts(const std::string& text) {
  std::vector<size_t> starts{0};
  for (size_t i = text.find('\n'); i != std::string::npos; i = text.find('\n', i + 1)) starts.push_back(i + 1);
  return starts;
}

std::string LineOf(const std::string& text, const std::vector<size_t>& starts, int line) {
  if (line < 1 || line > static_cast<int>(starts.size())) return "";
  const size_t b = starts[line - 1];
  size_t e = text.find('\n', b);
  std::string out = text.substr(b, e == std::string::npos ? std::string::npos : e - b);
  if (!out.empty() && out.back() == '\r') out.pop_back();
  return out;
}

class LinterImpl : public Linter {
 public:
  explicit LinterImpl(LintOptions o) : options_(std::move(o)) {}

  std::vector<Finding> Lint(const std::vector<Migration>& migrations) override {
    std::vector<Finding> out;
    KnownSchema schema;
    for (const auto& m : migrations) {
      if (Skipped(m.up.path)) continue;
      MigrationFacts mf;
      mf.migration = &m;
      mf.up = AnalyzeScript(m.up, options_.target);
      if (m.down) {
        mf.has_down = true;
        mf.down = AnalyzeScript(*m.down, options_.target);
      }
      std::vector<std::pair<const Rule*, RawFinding>> raw;
      for (const auto& rule : AllRules()) {
        if (options_.disabled.count(rule.id)) continue;
        std::vector<RawFinding> found;
        RuleContext ctx(mf, options_, schema, &found);
        rule.check(ctx);
        for (auto& f : found) raw.emplace_back(&rule, std::move(f));
      }
      std::map<const Script*, std::vector<size_t>> starts;
      for (auto& [rule, f] : raw) {
        if (Suppressed(*f.script, rule->id, f.statement_line)) continue;
        Finding out_f;
        out_f.rule = rule->id;
        auto sev = options_.severities.find(rule->id);
        out_f.severity = sev == options_.severities.end() ? rule->severity : sev->second;
        out_f.path = f.script->path;
        out_f.line = f.line;
        out_f.column = f.column;
        out_f.message = std::move(f.message);
        out_f.safe_alternative = std::move(f.safe_alternative);
        auto st = starts.find(f.script);
        if (st == starts.end()) st = starts.emplace(f.script, LineStarts(f.script->text)).first;
        out_f.source_line = LineOf(f.script->text, st->second, f.line);
        out.push_back(std::move(out_f));
      }
      schema.Apply(mf.up);
    }
    std::stable_sort(out.begin(), out.end(), [](const Finding& a, const Finding& b) {
      if (a.path != b.path) return a.path < b.path;
      if (a.line != b.line) return a.line < b.line;
      if (a.column != b.column) return a.column < b.column;
      return a.rule < b.rule;
    });
    return out;
  }

 private:
  bool Skipped(const std::string& path) const {
    for (const auto& g : options_.skip) {
      if (fnmatch(g.c_str(), path.c_str(), 0) == 0) return true;
      const std::string prefix = g.back() == '/' ? g : g + "/";
      if (path.rfind(prefix, 0) == 0) return true;
    }
    return false;
  }
  static bool Suppressed(const Script& s, const std::string& rule, int statement_line) {
    // A suppression of the suppression rules would hide its own error.
    if (rule == "allow-without-reason" || rule == "allow-unknown-rule") return false;
    return AllowedWithReason(s, rule, statement_line);
  }

  LintOptions options_;
};

}  // namespace
}  // namespace lint

Result<std::unique_ptr<Linter>> Linter::Create(LintOptions options) {
  for (const auto& [id, sev] : options.severities) {
    if (!KnownRule(id)) return Status(Code::kInvalidArgument, "unknown lint rule \"" + id + "\"");
  }
  for (const auto& id : options.disabled) {
    if (!KnownRule(id)) return Status(Code::kInvalidArgument, "unknown lint rule \"" + id + "\"");
  }
  return std::unique_ptr<Linter>(new lint::LinterImpl(std::move(options)));
}

}  // namespace dbroll
