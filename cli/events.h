// What the CLI prints while commands run (a dbroll::RunObserver): text for
// people (a start line per migration when stdout is not a terminal, so CI
// logs show what is running) or the library's JSON lines for programs;
// docs/cli.md documents both.
#ifndef DBROLL_CLI_EVENTS_H_
#define DBROLL_CLI_EVENTS_H_

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "dbroll/run_events.h"

namespace dbroll::cli {

class Context;

// `format` is "json" for JSON lines on stdout, anything else for text.
std::unique_ptr<RunObserver> MakeEventPrinter(const Context* ctx, const std::string& format);

// One more JSON event with `fields` (an object); nothing in text.
void Emit(RunObserver* events, const std::string& event, const nlohmann::ordered_json& fields);

}  // namespace dbroll::cli

#endif  // DBROLL_CLI_EVENTS_H_
