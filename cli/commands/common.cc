#include "cli/commands/commands.h"

#include "cli/exit_codes.h"

namespace dbroll::cli {

int WithEngine(Context& ctx, const std::function<Status(Engine&, const Config&)>& fn,
               const std::function<Status(const Config&)>& before_open) {
  auto cfg = ctx.LoadConfig();
  if (!cfg.ok()) return ctx.Fail(cfg.status());
  if (before_open) {
    if (Status s = before_open(cfg.value()); !s.ok()) return ctx.Fail(s);
  }
  auto engine = ctx.OpenEngine(cfg.value());
  if (!engine.ok()) return ctx.Fail(engine.status());
  Status s = fn(*engine.value(), cfg.value());
  return s.ok() ? kExitOk : ctx.Fail(s);
}

}  // namespace dbroll::cli
