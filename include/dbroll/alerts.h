// The Alertmanager webhook receiver behind `dbroll serve`: a firing alert
// that matches rolls the current deploy back and freezes deploys. The HTTP
// server is the caller's; this class decides and acts, one request at a time.
#ifndef DBROLL_ALERTS_H_
#define DBROLL_ALERTS_H_

#include <cstddef>
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
  // Labels a firing alert must carry, all of them. Default: none (any
  // firing alert). An alert with a `release` label must also name the
  // release of the deploy it would roll back.
  std::map<std::string, std::string> match;
  // Larger bodies are refused with 413. Default: 256 KiB.
  size_t max_body = 256 * 1024;
};

struct AlertReply {
  int http_status = 200;
  std::string body;  // JSON: {"status": ..., "detail": ...}
};

class AlertReceiver {
 public:
  // Neither is owned; both must outlive the receiver.
  AlertReceiver(Engine* engine, Coordinator* coordinator, AlertReceiverOptions options);

  // One webhook POST. 401 for a missing or wrong token, 413 for a body over
  // max_body, 400 for a body that is not an Alertmanager payload (nothing
  // done in all three); 503 when the deploy record cannot be read (so the
  // sender retries); otherwise 200 saying what was done. A matching firing
  // alert rolls back the newest deploy and freezes deploys, once per deploy
  // id and alert fingerprint. Every call is recorded in the audit log.
  AlertReply Handle(const std::string& authorization, const std::string& body, const std::string& peer);
  // Records a request the server answered without calling Handle (a body
  // over the limit, an unknown path).
  void Audit(const std::string& what, int http_status);
  // Housekeeping between requests: rejects a blue-green deploy whose
  // approval timed out. Serialised with Handle.
  Status Tick();

 private:
  AlertReply Act(const std::string& body, std::string* note);
  bool AlreadyHandled(const std::string& key);
  void Log(const std::string& action, const std::string& outcome, const std::string& message);

  Engine* engine_;
  Coordinator* coordinator_;
  AlertReceiverOptions options_;
  std::mutex mu_;                // one request, or one tick, at a time
  std::set<std::string> seen_;   // "deploy <id> alert <fingerprint>" handled by this process
};

}  // namespace dbroll

#endif  // DBROLL_ALERTS_H_
