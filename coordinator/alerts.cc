// The alert receiver's decisions: authenticate, parse the Alertmanager
// payload, match, roll back once per (deploy, alert), freeze, audit.
#include "dbroll/alerts.h"

#include <nlohmann/json.hpp>

namespace dbroll {
namespace {

using nlohmann::json;

AlertReply Reply(int http, const std::string& status, const std::string& detail) {
  return AlertReply{http, json({{"status", status}, {"detail", detail}}).dump(-1, ' ', false,
                                                                                json::error_handler_t::replace)};
}

// Compares without an early exit, so the time taken does not tell an
// attacker how much of the token was right.
bool SameSecret(const std::string& a, const std::string& b) {
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i % (b.empty() ? 1 : b.size())]);
  return diff == 0 && !b.empty();
}

std::string LabelText(const json& labels) {
  std::string out;
  for (const auto& [k, v] : labels.items()) {
    out += (out.empty() ? "" : ",") + k + "=" + (v.is_string() ? v.get<std::string>() : v.dump());
  }
  return out;
}

// Alertmanager sends a fingerprint; other senders may not, and then the
// labels and start time identify the alert.
std::string Fingerprint(const json& alert) {
  if (alert.contains("fingerprint") && alert["fingerprint"].is_string() &&
      !alert["fingerprint"].get<std::string>().empty()) {
    return alert["fingerprint"].get<std::string>();
  }
  std::string key = LabelText(alert.value("labels", json::object())) + "@" + alert.value("startsAt", std::string());
  unsigned long long h = 1469598103934665603ULL;  // FNV-1a: stable across runs
  for (unsigned char c : key) h = (h ^ c) * 1099511628211ULL;
  char buf[24];
  std::snprintf(buf, sizeof buf, "%016llx", h);
  return buf;
}

bool Finished(DeployState s) {
  return s == DeployState::kRolledBack || s == DeployState::kFailed || s == DeployState::kRollbackFailed;
}

}  // namespace

AlertReceiver::AlertReceiver(Engine* engine, Coordinator* coordinator, AlertReceiverOptions options)
    : engine_(engine), coordinator_(coordinator), options_(std::move(options)) {}

void AlertReceiver::Log(const std::string& action, const std::string& outcome, const std::string& message) {
  LogEntry e;
  e.action = action;
  e.outcome = outcome;
  e.message = options_.redact ? options_.redact(message) : message;
  auto st = engine_->GetStatus();
  if (st.ok()) e.schema_version = st->current_version;
  // Best effort: the audit tables do not exist before the first migrate.
  (void)engine_->AppendLog(e);
}

void AlertReceiver::CountRejected(int http_status, const std::string& what) {
  std::lock_guard<std::mutex> lock(count_mu_);
  ++rejected_[http_status];
  last_rejected_ = what;
}

void AlertReceiver::Audit(const std::string& what, int http_status) { CountRejected(http_status, what); }

void AlertReceiver::WriteSummary() {
  std::map<int, long long> counts;
  std::string last;
  {
    std::lock_guard<std::mutex> lock(count_mu_);
    if (rejected_.empty()) return;
    counts.swap(rejected_);
    last = last_rejected_;
  }
  long long total = 0;
  std::string by;
  for (const auto& [http, n] : counts) {
    total += n;
    by += (by.empty() ? "" : ", ") + std::string("HTTP ") + std::to_string(http) + ": " + std::to_string(n);
  }
  Log("alert:rejected", "rejected",
      std::to_string(total) + " request(s) rejected since the last summary (" + by + "); the last: " + last);
}

void AlertReceiver::FlushSummary() {
  std::lock_guard<std::mutex> lock(mu_);
  WriteSummary();
}

Status AlertReceiver::Tick() {
  std::lock_guard<std::mutex> lock(mu_);
  const auto now = std::chrono::steady_clock::now();
  if (now - last_summary_ >= options_.summary_interval) {
    last_summary_ = now;
    WriteSummary();
  }
  auto expired = coordinator_->ExpireApproval();
  return expired.status();
}

AlertReply AlertReceiver::Handle(const std::string& authorization, const std::string& body, const std::string& peer) {
  const std::string kBearer = "Bearer ";
  const bool authorized = authorization.compare(0, kBearer.size(), kBearer) == 0 &&
                          SameSecret(authorization.substr(kBearer.size()), options_.token);
  if (!authorized) {
    // Anyone can send these; each one costing a database write (or waiting
    // behind a rollback) would let a flood slow the alerts that matter.
    CountRejected(
        401, "POST from " + peer + ": " + (authorization.empty() ? "no Authorization header" : "wrong bearer token"));
    return Reply(401, "unauthorized", "missing or wrong bearer token");
  }
  std::lock_guard<std::mutex> lock(mu_);
  AlertReply reply;
  std::string note;
  if (body.size() > options_.max_body) {
    reply = Reply(413, "too-large", "the body is over " + std::to_string(options_.max_body) + " bytes");
    note = "body of " + std::to_string(body.size()) + " bytes";
  } else {
    try {
      reply = Act(body, &note);
    } catch (const std::exception& e) {
      // A payload of the wrong shape (a label that is a number, say) must
      // never end the receiver.
      note = std::string("malformed payload: ") + e.what();
      reply = Reply(400, "bad-request", "the body is not an Alertmanager webhook payload: " + std::string(e.what()));
    }
  }
  Log("alert:request", reply.http_status < 300 ? "ok" : "rejected",
      "POST from " + peer + ": HTTP " + std::to_string(reply.http_status) + (note.empty() ? "" : ": " + note));
  return reply;
}

bool AlertReceiver::AlreadyHandled(const std::string& key) {
  if (seen_.count(key)) return true;
  // Another `dbroll serve` (or this one before a restart) may have acted:
  // the audit log is the shared memory.
  auto log = engine_->History(500);
  if (!log.ok()) return false;
  for (const LogEntry& e : log.value()) {
    if (e.action == "alert:rollback" && e.message.rfind(key + ":", 0) == 0) return true;
  }
  return false;
}

AlertReply AlertReceiver::Act(const std::string& body, std::string* note) {
  const json payload = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (payload.is_discarded() || !payload.is_object() || !payload.contains("alerts") ||
      !payload["alerts"].is_array()) {
    *note = "not an Alertmanager webhook payload";
    return Reply(400, "bad-request", "the body is not an Alertmanager webhook payload (JSON with an \"alerts\" array)");
  }
  std::vector<const json*> firing;
  int resolved = 0, unmatched = 0;
  for (const json& alert : payload["alerts"]) {
    if (!alert.is_object() || !alert.contains("labels") || !alert["labels"].is_object()) {
      *note = "an alert without labels";
      return Reply(400, "bad-request", "every alert needs a \"labels\" object");
    }
    if (alert.value("status", std::string()) != "firing") {
      ++resolved;  // resolved alerts never unfreeze: a person decides that
      continue;
    }
    bool match = true;
    const json& labels = alert["labels"];
    for (const auto& [k, v] : options_.match) {
      match = match && labels.contains(k) && labels[k].is_string() && labels[k].get<std::string>() == v;
    }
    // No rule: only an alert that names a release can be about a deploy.
    if (options_.match.empty()) match = labels.contains("release") && labels["release"].is_string();
    if (match) {
      firing.push_back(&alert);
    } else {
      ++unmatched;
    }
  }
  const std::string counts = std::to_string(firing.size()) + " matching firing, " + std::to_string(unmatched) +
                             " not matching, " + std::to_string(resolved) + " resolved";
  if (firing.empty()) {
    *note = counts + "; nothing done";
    return Reply(200, "ignored", *note);
  }
  auto newest = engine_->deploys().List(1);
  if (!newest.ok()) {
    *note = counts + "; the deploy record cannot be read: " + newest.status().message();
    return Reply(503, "unavailable", "the deploy record cannot be read; retry");
  }
  if (newest->empty()) {
    *note = counts + "; no deploy to roll back";
    return Reply(200, "nothing-to-do", "no deploy to roll back");
  }
  const DeployRecord& d = newest->front();
  for (const json* alert : firing) {
    const json& labels = (*alert)["labels"];
    if (labels.contains("release") && labels["release"].is_string() &&
        labels["release"].get<std::string>() != d.release) {
      continue;  // about another release: rolling this one back would not help
    }
    const std::string fp = Fingerprint(*alert);
    const std::string key = "deploy " + std::to_string(d.id) + " alert " + fp;
    if (AlreadyHandled(key)) {
      *note = counts + "; " + key + " was already handled";
      return Reply(200, "duplicate", key + " was already handled");
    }
    if (Finished(d.state)) {
      *note = counts + "; deploy " + std::to_string(d.id) + " is " + DeployStateName(d.state) + ", nothing to roll back";
      return Reply(200, "nothing-to-do", "no deploy to roll back");
    }
    // Read before anything is marked or done: a malformed alert throws here.
    const std::string name = labels.value("alertname", std::string("alert"));
    const std::string summary = alert->value("annotations", json::object()).value("summary", std::string());
    seen_.insert(key);
    const std::string reason = "alert " + name + " fired" + (summary.empty() ? "" : ": " + summary);
    Log("alert:rollback", "ok", key + ": " + LabelText(labels) + ": rolling back deploy " + std::to_string(d.id));
    RollbackOptions o;
    o.reason = reason;
    Status s = coordinator_->Rollback(o);
    // An alert always freezes, even with freeze_on_rollback = false: the
    // cause is outside dbroll, and a person must look before the next deploy.
    auto freeze = engine_->deploys().GetFreeze();
    if (freeze.ok() && !freeze->has_value()) (void)coordinator_->Freeze(reason);
    *note = counts + "; " + key + ": " + (s.ok() ? "rolled back, deploys frozen" : "rollback failed: " + s.message());
    return Reply(200, s.ok() ? "rolled-back" : "rollback-failed", *note);
  }
  *note = counts + "; the matching alerts name another release";
  return Reply(200, "ignored", *note);
}

}  // namespace dbroll
