// What the deploy commands keep around a Coordinator: hook output in the
// audit log, and a deploy's duration from its stamps.
#include <cctype>

#include "dbroll/deploy_hooks.h"

namespace dbroll {

Result<DeployKit> DeployKitWithAuditLog(const Config& config, Engine* audit, const std::string& secret) {
  Redactor secrets = RedactorFromConfig(config);
  secrets.Add(secret);
  // The tail of the output is what explains a failure.
  return DeployKitFromConfig(config, [audit, secrets](const std::string& what, const std::string& output) {
    static const std::string kAction = "deploy:hook", kOutcome = "ok";
    LogEntry entry;
    entry.action = kAction;
    entry.outcome = kOutcome;
    const std::string tail = output.substr(output.size() > 8000 ? output.size() - 8000 : 0);
    entry.message = secrets.Apply(what + (output.empty() ? "" : "\n" + tail));
    (void)audit->AppendLog(entry);
  });
}

std::optional<long long> DeployMillis(const DeployRecord& d) {
  // Both stamps are "YYYY-MM-DDTHH:MM:SS.mmmZ"; a deploy spans minutes, so
  // the difference within a day is what matters.
  if (d.finished_at.size() < 23 || d.started_at.size() < 23) return std::nullopt;
  // The stamps come from the database: anything not a digit counts as 0
  // rather than throwing.
  auto num = [](const std::string& t, size_t at, size_t n) {
    long long v = 0;
    for (size_t i = at; i < at + n; ++i) v = v * 10 + (std::isdigit(static_cast<unsigned char>(t[i])) ? t[i] - '0' : 0);
    return v;
  };
  auto ms = [&](const std::string& t) {
    return ((num(t, 8, 2) * 24 + num(t, 11, 2)) * 60 + num(t, 14, 2)) * 60000LL + num(t, 17, 2) * 1000LL +
           num(t, 20, 3);
  };
  const long long took = ms(d.finished_at) - ms(d.started_at);
  if (took < 0) return std::nullopt;
  return took;
}

}  // namespace dbroll
