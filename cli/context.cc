#include "cli/context.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "cli/events.h"
#include "cli/exit_codes.h"
#include "dbroll/url.h"

namespace dbroll::cli {
Context::Context() = default;
Context::~Context() = default;

Observer* Context::observer() { return events(); }

bool Context::color() const {
  const char* no = std::getenv("NO_COLOR");
  return isatty(STDOUT_FILENO) == 1 && !(no && *no);
}

Result<Config> Context::LoadConfig() const {
  ConfigSources sources;
  sources.dir = globals.dir;
  sources.config = globals.config;
  sources.url = globals.url;
  if (!globals.lock_timeout.empty()) {
    auto d = ParseDuration(globals.lock_timeout);
    if (!d.ok()) return Status(Code::kInvalidArgument, "--lock-timeout: " + d.status().message());
    sources.lock_timeout = d.value();
  }
  for (const std::string& kv : globals.set) {
    const size_t eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) {
      return Status(Code::kInvalidArgument, "--set " + kv + ": expected name=value (a placeholder ${name} in the SQL)");
    }
    sources.placeholders[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  Result<Config> cfg = ResolveConfig(sources);
  if (!cfg.ok()) return cfg;
  url_ = cfg->engine.url;
  return cfg;
}

Result<std::unique_ptr<Engine>> Context::OpenEngine(const Config& config) {
  EngineOptions options = config.engine;
  options.read_only = options.read_only || read_only;
  return Engine::Open(options, events());
}

Status Context::RequireFormat(std::initializer_list<const char*> allowed, const std::string& command) const {
  std::string list;
  size_t i = 0;
  for (const char* f : allowed) {
    if (globals.format == f) return Status::Ok();
    list += std::string(i == 0 ? "" : (i + 1 == allowed.size() ? " or " : ", ")) + f;
    ++i;
  }
  return Status(Code::kInvalidArgument,
                "--format " + globals.format + ": " + command + " writes " + list + " -- pick one of those");
}

void Context::AddSecret(const std::string& secret) const {
  if (secret.size() >= 4) secrets_.push_back(secret);
}

std::string Context::Redact(const std::string& text) const {
  std::string out = text;
  for (const std::string& s : secrets_) {
    for (size_t p = out.find(s); p != std::string::npos; p = out.find(s, p + 3)) out.replace(p, s.size(), "***");
  }
  return RedactDatabaseUrl(out, url_);
}

std::vector<Advice> CliAdvice(const Status& s) {
  const std::string& v = s.remedy_subject();
  switch (s.remedy()) {
    case Remedy::kNone: return {};
    case Remedy::kRunMigrate: return {{"", "dbroll migrate"}};
    case Remedy::kRunDown: return {{"", "dbroll down"}};
    case Remedy::kRunDownWithoutData: return {{"", "dbroll down --without-data"}};
    case Remedy::kInspectStatus: return {{"", "dbroll status"}};
    case Remedy::kInspectHistory: return {{"", "dbroll history"}};
    case Remedy::kValidate: return {{"", "dbroll validate"}};
    case Remedy::kMarkRolledBack: return {{"", "dbroll repair --mark-rolled-back " + v}};
    case Remedy::kMarkApplied: return {{"", "dbroll repair --mark-applied " + v}};
    case Remedy::kMarkAppliedOrRolledBack:
      return {{"if you finished it by hand", "dbroll repair --mark-applied " + v},
              {"if you undid it by hand", "dbroll repair --mark-rolled-back " + v}};
    case Remedy::kDecideStatement:
      return {{"if it did not take effect", "dbroll repair --retry-statement " + v},
              {"if it did", "dbroll repair --mark-statement-done " + v}};
    case Remedy::kRepairVersion: return {{"", "dbroll repair"}};
    case Remedy::kPurgeArchives: return {{"", "dbroll purge"}};
    case Remedy::kRunAdopt: return {{"", "dbroll adopt"}};
    case Remedy::kRunDrop: return {{"", "dbroll drop --yes"}};
    case Remedy::kInspectDeploys: return {{"", "dbroll deploys"}};
    case Remedy::kResumeDeploy: return {{"", "dbroll deploy --resume"}};
    case Remedy::kResumeOrRollbackDeploy:
      return {{"to continue it", "dbroll deploy --resume"}, {"to undo it", "dbroll rollback"}};
    case Remedy::kRollbackDeploy: return {{"", "dbroll rollback"}};
    case Remedy::kUnfreeze: return {{"", "dbroll unfreeze"}};
    case Remedy::kApproveOrReject:
      return {{"to approve it", "dbroll approve " + v}, {"to reject it", "dbroll reject " + v + " --reason TEXT"}};
    case Remedy::kInitProject: return {{"", "dbroll init"}};
  }
  return {};
}

namespace {
void PrintAdvice(const Status& s) {
  for (const Advice& a : CliAdvice(s)) std::cerr << "next" << (a.when.empty() ? "" : ", " + a.when) << ": " << a.command << "\n";
}
}  // namespace

int Context::Fail(const Status& s) const {
  const bool c = isatty(STDERR_FILENO) == 1 && !std::getenv("NO_COLOR");
  std::cerr << (c ? "\033[31m" : "") << "dbroll: error:" << (c ? "\033[0m" : "") << " "
            << Redact(s.ToString()) << "\n";
  PrintAdvice(s);
  const int code = ExitCodeFor(s);
  if (stream_events) events()->OnError(s, code);
  return code;
}

RunObserver* Context::events() const {
  if (!observer_) observer_ = MakeEventPrinter(this, stream_events ? globals.format : "text");
  return observer_.get();
}

void Context::Notice(const std::string& text) const { std::cerr << "dbroll: " << Redact(text) << "\n"; }

void Context::Notice(const Status& s) const {
  Notice(s.message());
  PrintAdvice(s);
}

}  // namespace dbroll::cli
