// The deploy slot (one deploy process at a time) and what a deploy does when
// another process moved it on: the parts of the Coordinator that keep one
// deploy to one outcome.
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <random>
#include <thread>

#include "coordinator/internal.h"
#include "dbroll/coordinator.h"
#include "dbroll/deploy_hooks.h"
#include "engine/history.h"

namespace dbroll {

namespace internal {

std::string HostName() {
  char buf[256] = {0};
  if (::gethostname(buf, sizeof buf - 1) != 0) return "unknown-host";
  return buf;
}

bool Gone(long long pid) {
  if (pid == 0) return true;
  return ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH;
}

}  // namespace internal

using internal::Gone;
using internal::HostName;

namespace {

using Clock = std::chrono::steady_clock;

std::string Label(const DeployRecord& d) { return "deploy " + std::to_string(d.id) + " of " + d.release; }

}  // namespace

Status Coordinator::ClaimSlot() {
  if (!slot_token_.empty()) return Status::Ok();
  static thread_local std::mt19937_64 rng(std::random_device{}());
  DeploySlot mine;
  char buf[40];
  std::snprintf(buf, sizeof buf, "%016llx%016llx", static_cast<unsigned long long>(rng()),
                static_cast<unsigned long long>(rng()));
  mine.token = buf;
  mine.holder = options_.who;
  mine.host = HostName();
  mine.pid = ::getpid();
  mine.since = internal::NowUtc();
  auto slot = engine_->deploys().ClaimSlot(mine, "");
  if (!slot.ok()) return Status(slot.status()).Prepend("the deploy slot cannot be claimed: ");
  if (slot->token != mine.token) {
    // A holder on this host whose process is gone (kill -9, a crash) left
    // the slot behind: take it over, unless its hook still runs.
    const DeploySlot held = slot.value();
    bool dead = held.host == mine.host && Gone(held.pid);
    if (dead && held.deploy_id != 0) {
      auto d = engine_->deploys().Get(held.deploy_id);
      if (d.ok() && d->hook_pgid != 0 && d->hook_host == mine.host && !Gone(-d->hook_pgid)) {
        return Status(Code::kDeployInProgress,
                      "deploy " + std::to_string(held.deploy_id) + " by " + held.holder + " stopped (pid " +
                          std::to_string(held.pid) + " is gone) but its hook still runs as process group " +
                          std::to_string(d->hook_pgid) + " -- wait for it to end (or kill -TERM -" +
                          std::to_string(d->hook_pgid) + "), then resume the deploy")
            .set_remedy(Remedy::kResumeDeploy);
      }
    }
    if (dead || options_.take_over) {
      slot = engine_->deploys().ClaimSlot(mine, held.token);
      if (!slot.ok()) return Status(slot.status()).Prepend("the deploy slot cannot be claimed: ");
    }
    if (slot->token != mine.token) {
      const DeploySlot& h = slot.value();
      const std::string what =
          h.deploy_id != 0 ? "deploy " + std::to_string(h.deploy_id) + " by " + h.holder : "a deploy by " + h.holder;
      return Status(Code::kDeployInProgress,
                    what + " is in progress since " + h.since + " (pid " + std::to_string(h.pid) + " on " + h.host +
                        ") -- wait for it to finish; nothing was done. If that process is gone, a deploy on " + h.host +
                        " takes its slot over by itself; from another host resume it with take-over");
    }
    DeployRecord none;
    Log(none, "deploy:takeover", Status::Ok(),
        "took over the deploy slot of " + held.holder + " (pid " + std::to_string(held.pid) + " on " + held.host +
            ", since " + held.since + ")");
  }
  slot_token_ = mine.token;
  return Status::Ok();
}

void Coordinator::ReleaseSlot() {
  if (slot_token_.empty()) return;
  (void)engine_->deploys().ReleaseSlot(slot_token_);
  slot_token_.clear();
}

Status Coordinator::Overtaken(DeployRecord& d, DeployState expected) {
  // Another process (dbroll serve acting on an alert, a person running
  // dbroll rollback) moved this deploy on. Its outcome is the outcome: wait
  // for its rollback to finish, then report that, never success.
  auto now = engine_->deploys().Get(d.id);
  for (int i = 0; now.ok() && now->state == DeployState::kRollingBack && i < 3000; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    now = engine_->deploys().Get(d.id);
  }
  if (!now.ok()) return Status(now.status()).Prepend(Label(d) + " was changed by another process: ");
  d = now.value();
  const std::string head = Label(d) + " was taken over by another process while it was " + DeployStateName(expected) +
                           ": it is now " + DeployStateName(d.state) + (d.reason.empty() ? "" : " (" + d.reason + ")");
  if (d.state == DeployState::kRolledBack) {
    return Status(Code::kRolledBack, head + " -- this deploy did not succeed").set_remedy(Remedy::kInspectDeploys);
  }
  return Status(Code::kDirty, head + " -- this deploy did not succeed").set_remedy(Remedy::kInspectDeploys);
}

Status Coordinator::StillOurs(DeployRecord& d) {
  auto now = engine_->deploys().Get(d.id);
  if (!now.ok()) return now.status();
  if (now->state == d.state) return Status::Ok();
  return Overtaken(d, d.state);
}

bool Coordinator::StopRequested(DeployRecord& d) {
  if (StopSignal() != 0) return true;
  if (d.id == 0) return false;
  // Gates poll this often; the database is asked at most twice a second.
  const auto now = Clock::now();
  if (now - last_stop_check_ < std::chrono::milliseconds(500)) return false;
  last_stop_check_ = now;
  auto stored = engine_->deploys().Get(d.id);
  return stored.ok() && stored->state != d.state;
}

}  // namespace dbroll
