// Engine trace: one stable line per durable transition, appended to the
// file named by WEFT_TRACE_FILE (unset: no trace). Lines are written with
// one write(2) each, so a SIGKILL loses none that were written; crash
// tests read them to prove that no committed step ran again.
//
//   step.start run=<id> seq=<n> attempt=<a> name=<step>
//   step.commit run=<id> seq=<n> attempt=<a> status=<completed|failed|retrying>
//   park run=<id> status=<sleeping|waiting> wake_at=<ms>
//   sleep.done run=<id> seq=<n>
//   run.end run=<id> status=<status>
#pragma once
#include <string>

namespace weft::engine {

bool trace_enabled();
void trace(const std::string& line);

}  // namespace weft::engine
