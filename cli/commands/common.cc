#include "cli/commands/commands.h"

#include "cli/exit_codes.h"

namespace dbroll::cli {

int WithEngine(Context& ctx, const std::function<Status(Engine&, const Config&)>& fn) {
  auto cfg = ctx.LoadConfig();
  if (!cfg.ok()) return ctx.Fail(cfg.status());
  auto engine = ctx.OpenEngine(cfg.value());
  if (!engine.ok()) return ctx.Fail(engine.status());
  Status s = fn(*engine.value(), cfg.value());
  return s.ok() ? kExitOk : ctx.Fail(s);
}

}  // namespace dbroll::cli
