// Command hooks and the command notifier: argv split without a shell,
// context in the environment, timeouts, output kept for the audit log.
#include "coordinator/process.h"
#include "dbroll/deploy_hooks.h"

namespace dbroll {
namespace {

constexpr int kFailureLines = 10;

std::map<std::string, std::string> HookEnv(const DeployContext& c) {
  return {{"DBROLL_DEPLOY_ID", std::to_string(c.deploy_id)},
          {"DBROLL_RELEASE", c.release},
          {"DBROLL_PREVIOUS_RELEASE", c.previous_release},
          {"DBROLL_TARGET_RELEASE", c.target_release},
          {"DBROLL_SCHEMA_VERSION", c.schema_version},
          {"DBROLL_ACTION", c.action}};
}

// Runs `line`; the label names the hook in every message ("app_deploy hook").
Status RunHook(const std::string& label, const std::string& line, const CommandOptions& o,
               std::map<std::string, std::string> env, std::string stdin_data,
               std::function<void(long long)> on_start = nullptr) {
  internal::ProcessSpec spec;
  if (o.shell) {
    spec.argv = {"/bin/sh", "-c", line};
  } else {
    auto argv = SplitCommandLine(line);
    if (!argv.ok()) return Status(argv.status()).Prepend(label + ": ");
    spec.argv = std::move(argv).value();
  }
  spec.on_start = std::move(on_start);
  spec.working_dir = o.working_dir;
  spec.env = std::move(env);
  spec.stdin_data = std::move(stdin_data);
  spec.timeout = o.timeout;
  auto r = internal::RunProcess(spec);
  if (!r.ok()) return Status(r.status()).Prepend(label + ": ");
  auto clean = [&o](const std::string& text) { return o.redact ? o.redact(text) : text; };
  r->output = clean(r->output);
  std::string outcome;
  if (r->stopped_by != 0) {
    outcome = "was stopped: dbroll got signal " + std::to_string(r->stopped_by) + " and passed it on";
  } else if (r->status_unknown) {
    outcome =
        "ended, but its exit status is lost because SIGCHLD is ignored -- start dbroll with SIGCHLD at its "
        "default";
  } else if (r->timed_out) {
    outcome = "timed out after " + std::to_string(o.timeout.count()) + " ms and was killed";
  } else if (r->signal != 0) {
    outcome = "was killed by signal " + std::to_string(r->signal);
  } else {
    outcome = "exited with " + std::to_string(r->exit_code);
  }
  outcome += " (" + std::to_string(r->took.count()) + " ms)";
  if (o.on_output) o.on_output(clean(label + " `" + line + "` " + outcome), r->output);
  if (!r->timed_out && r->signal == 0 && r->exit_code == 0 && !r->status_unknown && r->stopped_by == 0) {
    return Status::Ok();
  }
  std::string last = internal::LastLines(r->output, kFailureLines);
  return Status(Code::kCheckFailed, clean(label + " `" + line + "` " + outcome +
                                          (last.empty() ? "; no output" : "; last lines:\n" + last)));
}

class CommandAppController : public AppController {
 public:
  CommandAppController(std::string deploy, std::string revert, CommandOptions o)
      : deploy_(std::move(deploy)), revert_(std::move(revert)), o_(std::move(o)) {}

  Status Deploy(const DeployContext& ctx) override {
    if (deploy_.empty()) return Status::Ok();
    return RunHook("app_deploy hook", deploy_, o_, HookEnv(ctx), "", ctx.on_hook_start);
  }
  Status Revert(const DeployContext& ctx) override {
    if (revert_.empty()) return Status::Ok();
    return RunHook("app_revert hook", revert_, o_, HookEnv(ctx), "", ctx.on_hook_start);
  }

 private:
  std::string deploy_, revert_;
  CommandOptions o_;
};

class CommandBlueGreen : public BlueGreenController {
 public:
  CommandBlueGreen(BlueGreenCommands c, CommandOptions o) : c_(std::move(c)), o_(std::move(o)) {}
  Status DeployGreen(const DeployContext& ctx) override { return Run("green_deploy hook", c_.green_deploy, ctx); }
  Status Switch(const DeployContext& ctx) override { return Run("switch hook", c_.switch_traffic, ctx); }
  Status RetireBlue(const DeployContext& ctx) override { return Run("retire_blue hook", c_.retire_blue, ctx); }
  Status DiscardGreen(const DeployContext& ctx) override { return Run("discard_green hook", c_.discard_green, ctx); }

 private:
  Status Run(const std::string& label, const std::string& line, const DeployContext& ctx) {
    if (line.empty()) return Status::Ok();
    return RunHook(label, line, o_, HookEnv(ctx), "", ctx.on_hook_start);
  }
  BlueGreenCommands c_;
  CommandOptions o_;
};

class CommandNotifier : public Notifier {
 public:
  CommandNotifier(std::string command, CommandOptions o) : command_(std::move(command)), o_(std::move(o)) {}
  Status Notify(const DeployEvent& e) override {
    DeployContext c;
    c.deploy_id = e.deploy.id;
    c.release = e.deploy.release;
    c.previous_release = e.deploy.previous_release;
    c.target_release = e.deploy.target_release;
    c.action = "notify";
    auto env = HookEnv(c);
    env["DBROLL_EVENT"] = e.kind;
    return RunHook("notify command", command_, o_, std::move(env), DeployEventJson(e) + "\n");
  }

 private:
  std::string command_;
  CommandOptions o_;
};

}  // namespace

Status CheckNoShellSyntax(const std::string& key, const std::string& line) {
  // Quotes are understood as SplitCommandLine understands them; what is
  // outside them and means something only to a shell is refused.
  char quote = 0;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quote) {
      if (c == quote)
        quote = 0;
      else if (quote == '"' && c == '\\')
        ++i;
      continue;
    }
    if (c == '\\') {
      ++i;
      continue;
    }
    if (c == '\'' || c == '"') {
      quote = c;
      continue;
    }
    if (std::string(";&|<>$`()*?").find(c) != std::string::npos) {
      std::string what(1, c);
      if (i + 1 < line.size() && (line[i + 1] == '&' || line[i + 1] == '|') && line[i + 1] == c) what += c;
      return Status(Code::kInvalidArgument,
                    key + " = \"" + line + "\": \"" + what +
                        "\" is shell syntax, but hooks do not run in a shell -- put the commands in a script, or "
                        "set [deploy] shell = true to run every hook with /bin/sh -c");
    }
  }
  return Status::Ok();
}

Result<std::vector<std::string>> SplitCommandLine(const std::string& line) {
  std::vector<std::string> out;
  std::string cur;
  bool in_word = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (c == '\'') {
      size_t end = line.find('\'', i + 1);
      if (end == std::string::npos) return Status(Code::kInvalidArgument, "unclosed ' in command `" + line + "`");
      cur += line.substr(i + 1, end - i - 1);
      in_word = true;
      i = end;
    } else if (c == '"') {
      size_t j = i + 1;
      for (; j < line.size() && line[j] != '"'; ++j) {
        // Inside double quotes a backslash only escapes " and \ (no $ or `:
        // nothing is expanded here anyway).
        if (line[j] == '\\' && j + 1 < line.size() && (line[j + 1] == '"' || line[j + 1] == '\\')) ++j;
        cur += line[j];
      }
      if (j >= line.size()) return Status(Code::kInvalidArgument, "unclosed \" in command `" + line + "`");
      in_word = true;
      i = j;
    } else if (c == '\\' && i + 1 < line.size()) {
      cur += line[++i];
      in_word = true;
    } else if (c == ' ' || c == '\t' || c == '\n') {
      if (in_word) out.push_back(std::move(cur));
      cur.clear();
      in_word = false;
    } else {
      cur += c;
      in_word = true;
    }
  }
  if (in_word) out.push_back(std::move(cur));
  if (out.empty()) return Status(Code::kInvalidArgument, "empty command");
  return out;
}

std::unique_ptr<AppController> NewCommandAppController(std::string deploy, std::string revert,
                                                       CommandOptions options) {
  return std::make_unique<CommandAppController>(std::move(deploy), std::move(revert), std::move(options));
}

std::unique_ptr<BlueGreenController> NewCommandBlueGreen(BlueGreenCommands commands, CommandOptions options) {
  return std::make_unique<CommandBlueGreen>(std::move(commands), std::move(options));
}

std::unique_ptr<Notifier> NewCommandNotifier(std::string command, CommandOptions options) {
  return std::make_unique<CommandNotifier>(std::move(command), std::move(options));
}

}  // namespace dbroll
