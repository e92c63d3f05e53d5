// The Alertmanager webhook receiver behind `dbroll serve`: a firing alert
// that matches rolls the current deploy back and freezes deploys. The HTTP
// server is the caller's; this class decides and acts, one request at a time.
#ifndef DBROLL_ALERTS_H_
#define DBROLL_ALERTS_H_

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>

#include "dbroll/coordinator.h"
#include "dbroll/engine.h"
#include "dbroll/status.h"

namespace dbroll {

struct AlertReceiverOptions {
  // Senders must send "Authorization: Bearer <token>". Required: an empty
  // token rejects every request.
  std::string token;
  // Labels a firing alert must carry, all of them. Default: none, and then
  // only alerts whose `release` label names the release of the deploy they
  // would roll back match (an unrelated alert never rolls back). Any alert
  // with a `release` label must name that release.
  std::map<std::string, std::string> match;
  // Larger bodies are refused with 413. Default: 256 KiB.
  size_t max_body = 256 * 1024;
  // Rejected requests (no or wrong token, unknown path) are counted, not
  // logged one by one: Tick writes one summary row per interval. Default: 60 s.
  std::chrono::milliseconds summary_interval{std::chrono::seconds(60)};
  // Applied to every audit-log message. Default: none.
  std::function<std::string(const std::string&)> redact;
};

struct AlertReply {
  int http_status = 200;
  std::string body;  // JSON: {"status": ..., "detail": ...}
};

class AlertReceiver {
 public:
  // Neither is owned; both must outlive the receiver.
  AlertReceiver(Engine* engine, Coordinator* coordinator, AlertReceiverOptions options);

  // One webhook POST. 401 for a missing or wrong token (counted, no
  // database access, never waits for another request), 413 for a body over
  // max_body, 400 for a body that is not an Alertmanager payload (nothing
  // done in all three); 503 when the deploy record cannot be read (so the
  // sender retries); otherwise 200 saying what was done. A matching firing
  // alert rolls back the newest deploy and freezes deploys, once per deploy
  // id and alert fingerprint. Every authenticated call is recorded in the
  // audit log. Thread-safe; authenticated calls run one at a time.
  AlertReply Handle(const std::string& authorization, const std::string& body, const std::string& peer);
  // Counts a request the server answered without calling Handle (an
  // unknown path, a malformed or slow request) for the next summary row.
  void Audit(const std::string& what, int http_status);
  // Housekeeping between requests: rejects a blue-green deploy whose
  // approval timed out, and writes the summary of rejected requests once
  // per summary_interval. Serialised with Handle.
  Status Tick();
  // Writes the summary of rejected requests now (at shutdown), if any.
  void FlushSummary();

 private:
  AlertReply Act(const std::string& body, std::string* note);
  bool AlreadyHandled(const std::string& key);
  void Log(const std::string& action, const std::string& outcome, const std::string& message);

  Engine* engine_;
  Coordinator* coordinator_;
  AlertReceiverOptions options_;
  void CountRejected(int http_status, const std::string& what);
  void WriteSummary();

  std::mutex mu_;                // one authenticated request, or one tick, at a time
  std::set<std::string> seen_;   // "deploy <id> alert <fingerprint>" handled by this process
  std::mutex count_mu_;          // guards the counters below; never held while waiting
  std::map<int, long long> rejected_;  // HTTP status -> requests since the last summary
  std::string last_rejected_;          // the newest one, for the summary
  std::chrono::steady_clock::time_point last_summary_ = std::chrono::steady_clock::now();
};

}  // namespace dbroll

#endif  // DBROLL_ALERTS_H_
