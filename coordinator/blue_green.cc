// The blue-green half of the Coordinator: green beside blue, a person
// approves the switch, and a rollback that keeps or puts traffic on blue.
#include <ctime>
#include <filesystem>

#include "coordinator/internal.h"
#include "dbroll/coordinator.h"
#include "engine/history.h"

namespace dbroll {
namespace {

std::string Label(const DeployRecord& d) { return "deploy " + std::to_string(d.id) + " of " + d.release; }

std::string Seconds(std::chrono::milliseconds ms) {
  return ms.count() % 1000 == 0 ? std::to_string(ms.count() / 1000) + "s" : std::to_string(ms.count()) + "ms";
}

}  // namespace

namespace internal {

std::optional<std::chrono::system_clock::time_point> ParseUtc(const std::string& text) {
  std::tm tm{};
  int ms = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d.%3dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
                  &tm.tm_min, &tm.tm_sec, &ms) != 7) {
    return std::nullopt;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  const std::time_t t = timegm(&tm);
  if (t == static_cast<std::time_t>(-1)) return std::nullopt;
  return std::chrono::system_clock::from_time_t(t) + std::chrono::milliseconds(ms);
}

}  // namespace internal

Status Coordinator::CheckBlueGreen() {
  if (!parts_.blue_green) {
    return Status(Code::kInvalidArgument,
                  "--strategy blue-green needs [deploy] green_deploy and switch hooks (see docs/alerts.md)");
  }
  if (!parts_.blue_green_check) return Status::Ok();
  Status s = CheckPending(parts_.blue_green_check);
  if (s.ok()) return s;
  return Status(s.code(), s.message() +
                              "\nblue-green runs the old release on the new schema, so these are errors here -- "
                              "split the change (expand now, contract in a later release) or deploy with "
                              "--strategy rolling; nothing was deployed");
}

Status Coordinator::AwaitingApproval(const DeployRecord& d) const {
  std::string until;
  if (options_.approval_timeout.count() > 0) until = " (rejected after " + Seconds(options_.approval_timeout) + ")";
  return Status(Code::kAwaitingApproval, Label(d) + " awaits approval since " + d.updated_at +
                                             ": green is healthy, traffic is on blue" + until +
                                             " -- approve it, or reject it with a reason")
      .set_remedy(Remedy::kApproveOrReject, std::to_string(d.id));
}

Status Coordinator::Verify(DeployRecord& d, std::vector<StepTiming>& steps) {
  const bool blue_green = internal::IsBlueGreen(d);
  // Before the switch the gates look at green alone; after it, at what the
  // public sees (the metric gate included).
  const bool live = !blue_green || internal::HasStep(d, "switch");
  const std::vector<HealthGate*>& gates = !blue_green ? parts_.gates : live ? parts_.public_gates : parts_.green_gates;
  const std::string name = !blue_green ? "health" : live ? "public-health" : "green-health";
  for (HealthGate* gate : gates) {
    Status s = Step(d, steps, name, [&] { return gate->Check(MakeContext(d, "deploy")); });
    if (!s.ok()) return RollBack(d, steps, "the health gate failed", s.message(), options_.freeze_on_rollback);
  }
  if (!live) {
    DBROLL_RETURN_IF_ERROR(Save(d, DeployState::kAwaitingApproval));
    Notify("deploy-awaiting-approval", d, steps);
    return AwaitingApproval(d);
  }
  d.finished_at = internal::NowUtc();
  DBROLL_RETURN_IF_ERROR(Save(d, DeployState::kSucceeded));
  Notify("deploy-succeeded", d, steps);
  PurgeAfterHealthy();  // [deploy] purge_after = "0s": right away
  if (!blue_green) return Status::Ok();
  Status r = Step(d, steps, "retire-blue", [&] { return parts_.blue_green->RetireBlue(MakeContext(d, "retire")); });
  // The record keeps the step, so a later rollback knows blue is gone.
  (void)engine_->deploys().Update(d);
  if (r.ok()) return r;
  return Status(Code::kCheckFailed, Label(d) + " succeeded and traffic is on green, but retiring blue failed: " +
                                        r.message() + " -- stop the old release by hand");
}

Status Coordinator::RollBackBlueGreen(DeployRecord& d, std::vector<StepTiming>& steps, std::string* failed_step) {
  if (!parts_.blue_green) {
    *failed_step = "discard-green";
    return Status(Code::kInvalidArgument, "the blue-green hooks are not configured");
  }
  // Blue runs on the old code, which the backward-compatible migrations
  // left working; green needs the new schema. So traffic goes back to blue
  // first, green goes away next, and only then the schema comes down.
  Status s;
  if (internal::HasStep(d, "switch")) {
    s = Step(d, steps, "switch-back", [&] { return parts_.blue_green->Switch(MakeContext(d, "switch-back")); });
    if (!s.ok()) *failed_step = "switch-back";
  }
  if (s.ok()) {
    s = Step(d, steps, "discard-green", [&] { return parts_.blue_green->DiscardGreen(MakeContext(d, "discard")); });
    if (!s.ok()) *failed_step = "discard-green";
  }
  if (s.ok()) {
    s = Step(d, steps, "schema-down", [&] { return SchemaDown(d); });
    if (!s.ok()) *failed_step = "schema-down";
  }
  for (size_t i = 0; s.ok() && i < parts_.public_gates.size(); ++i) {
    s = Step(d, steps, "health-after-revert",
             [&] { return parts_.public_gates[i]->Check(MakeContext(d, "revert")); });
    if (!s.ok()) *failed_step = "health-after-revert";
  }
  return s;
}

Status Coordinator::Approve(long long id) {
  auto got = engine_->deploys().Get(id);
  if (!got.ok()) return got.status();
  auto expired = ExpireApproval();
  if (!expired.ok()) return expired.status();
  DeployRecord d = std::move(got).value();
  if (expired.value()) {
    auto now = engine_->deploys().Get(id);
    if (now.ok()) d = now.value();
  }
  if (d.state != DeployState::kAwaitingApproval) {
    return Status(Code::kInvalidArgument, Label(d) + " is " + DeployStateName(d.state) +
                                              (expired.value() ? " (its approval timed out)" : "") +
                                              ": only a deploy awaiting approval can be approved");
  }
  if (!parts_.blue_green) return CheckBlueGreen();
  // Two approvals at once would switch traffic twice: approve takes the slot.
  DBROLL_RETURN_IF_ERROR(ClaimSlot());
  struct Release {
    Coordinator* c;
    ~Release() { c->ReleaseSlot(); }
  } release_slot{this};
  {
    auto fresh = engine_->deploys().Get(id);
    if (!fresh.ok()) return fresh.status();
    d = std::move(fresh).value();
    if (d.state != DeployState::kAwaitingApproval) {
      return Status(Code::kInvalidArgument,
                    Label(d) + " is " + DeployStateName(d.state) + ": only a deploy awaiting approval can be approved");
    }
  }
  Log(d, "deploy:approve", Status::Ok(), "approved by " + options_.who);
  std::vector<StepTiming> steps;
  Status s = Step(d, steps, "switch", [&] { return parts_.blue_green->Switch(MakeContext(d, "switch")); });
  if (!s.ok()) return RollBack(d, steps, "the switch to green failed", s.message(), options_.freeze_on_rollback);
  DBROLL_RETURN_IF_ERROR(Save(d, DeployState::kVerifying));
  return Verify(d, steps);
}

Status Coordinator::Reject(long long id, const std::string& reason) {
  if (reason.empty()) return Status(Code::kInvalidArgument, "reject needs a reason -- say why the deploy is rejected");
  auto got = engine_->deploys().Get(id);
  if (!got.ok()) return got.status();
  DeployRecord d = std::move(got).value();
  if (d.state != DeployState::kAwaitingApproval) {
    return Status(Code::kInvalidArgument, Label(d) + " is " + DeployStateName(d.state) +
                                              ": only a deploy awaiting approval can be rejected; roll it back instead")
        .set_remedy(Remedy::kRollbackDeploy);
  }
  Log(d, "deploy:reject", Status::Ok(), "rejected by " + options_.who + ": " + reason);
  std::vector<StepTiming> steps;
  Status s = RollBack(d, steps, "rejected: " + reason, "", /*freeze=*/false);
  return s.code() == Code::kRolledBack ? Status::Ok() : s;
}

Result<bool> Coordinator::ExpireApproval() {
  if (options_.approval_timeout.count() <= 0) return false;
  auto newest = Newest();
  if (!newest.ok()) return newest.status().code() == Code::kNotFound ? Result<bool>(false) : newest.status();
  DeployRecord d = std::move(newest).value();
  if (d.state != DeployState::kAwaitingApproval) return false;
  auto since = internal::ParseUtc(d.updated_at);
  if (!since || std::chrono::system_clock::now() - *since < options_.approval_timeout) return false;
  const std::string reason = "rejected: no approval within " + Seconds(options_.approval_timeout);
  Log(d, "deploy:reject", Status::Ok(), reason);
  std::vector<StepTiming> steps;
  Status s = RollBack(d, steps, reason, "", /*freeze=*/false);
  if (s.code() == Code::kRolledBack) return true;
  return s;
}

}  // namespace dbroll
