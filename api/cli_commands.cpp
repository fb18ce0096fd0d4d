// The table of weft subcommands (see cli_commands.hpp). weft serve's
// options come from its settings table (serve_config.cpp).
#include "api/cli_commands.hpp"

#include "api/commands.hpp"
#include "api/serve_config.hpp"

namespace weft::api {
namespace {

const CliOption kDbCreated{"db", "PATH", "the database (default ./weft.db; created if missing)"};
const CliOption kDbExisting{"db", "PATH", "the database (default ./weft.db; must exist)"};
const CliOption kKeyFile{"key-file", "PATH",
                         "master key of weft.secrets (default: the database path + .key)"};
const CliOption kWorkers{"workers", "N", "worker threads (default: one per core)"};
const CliOption kInput{"input", "JSON|@FILE", "the run's input: JSON text or @ a JSON file (default {})"};
const CliOption kJson{"json", "", "print JSON instead of a table"};
const CliOption kScript{"script", "FILE", "on this workflow file instead of the run's own version"};
const CliOption kLatest{"latest", "", "on the workflow's current file in the workflows folder"};
const CliOption kWorkflowsForLatest{
    "workflows", "DIR", "with --latest: the folder (default: where the run's version came from)"};

const char* kServeNotes = R"(Serves the HTTP API (docs/api.md), runs the workflows of a folder, their
timers and cron schedules, until SIGTERM or SIGINT (graceful: in-flight
steps finish and runs are handed back within --shutdown-grace). SIGHUP
reloads the workflows folder.

Each setting comes from, highest first: the option, the environment
variable (second column), the configuration file ([server] table, third
column), the default.

Other environment:
  WEFT_API_TOKENS        comma-separated `TOKEN [tenant=NAME]` entries for /v1
                         (with the tokens file, both count; none: no auth)
  WEFT_MASTER_KEY        the master key itself, instead of the key file

Rate limits for the workflows' keys, in the configuration file:
  [limits]
  "api.hubapi.com" = { rate = 100, per = "10s" }
  salesforce = { rate = 25, per = "1s", burst = 5 }
They take precedence over limits a workflow declares for the same key.
)";

const char* kDebugNotes = R"(Commands (one per line, or ;-separated with --commands):
  next, back          the next / previous recorded call
  goto POSITION       a seq, or a branch path such as 4/2/1
  until STEP_NAME     forward to the next call with that name
  where               the current call: its record and source
  locals              the workflow's local variables at this call
  print EXPR          a Lua expression evaluated there (read-only)
  history             every recorded call, the current one marked
  quit
Each move replays the history from the start with no side effects.
)";

const char* kReplayNotes = R"(Step functions are not called (their recorded results or errors are
returned), recorded now/uuid/random are handed back, I/O is not
reachable, and nothing is written to the database.

Exit status: 0 no divergence, 1 a divergence (with --workflow: any run
diverged), 2 usage or load error.
)";

const char* kTestNotes = R"(PATH is a *_test.lua file or a folder searched for them (default:
./workflows and ./examples). Each test runs in a fresh database with a
virtual clock and the workflows of its file's folder; HTTP never leaves
the process (unmocked requests fail the test). See docs/testing.md.

Exit status: 0 every test passed, 1 a test failed, 2 usage error.
)";

}  // namespace

const std::vector<CommandSpec>& cli_commands() {
  static const std::vector<CommandSpec> table = {
      {"run", "FILE.lua", "run a workflow in this process until it ends; print its result",
       {kInput, kDbCreated,
        {"id", "RUN_ID", "the run's id; an unfinished run with it is resumed, an ended one reported"},
        kWorkers, kKeyFile},
       cmd_run, ""},
      {"start", "FILE.lua", "create a run without executing it; print its id",
       {kInput, kDbCreated, {"id", "RUN_ID", "the run's id (default: a new UUID)"}},
       cmd_start, ""},
      {"resume", "", "execute every unfinished run until none can move",
       {kDbExisting, {"workflows", "DIR", "folder loaded for ctx:child and require"}, kWorkers,
        kKeyFile},
       cmd_resume, ""},
      {"event", "RUN_ID NAME", "deliver an event to a run",
       {{"data", "JSON|@FILE", "the event's payload: JSON text or @ a JSON file (default null)"},
        kDbExisting},
       cmd_event, ""},
      {"cancel", "RUN_ID", "cancel a run", {kDbExisting}, cmd_cancel, ""},
      {"retry", "RUN_ID", "redrive a failed run from its failed step",
       {kDbExisting, kLatest, kScript, kWorkflowsForLatest}, cmd_retry, ""},
      {"fork", "RUN_ID", "start a new run from a position of a recorded one; print its id",
       {{"from-step", "POSITION", "where the new run executes from: a seq, or a branch path (4/2/1)"},
        kScript, kLatest, kWorkflowsForLatest,
        {"input", "JSON|@FILE", "the new run's input (default: the original's)"},
        {"dry-run", "", "print what would replay and execute again; change nothing"},
        {"force", "", "fork even if the copied history diverges on the chosen version"}, kJson,
        kDbExisting},
       cmd_fork, ""},
      {"runs", "", "list runs, oldest first",
       {kDbExisting,
        {"status", "STATUS", "only runs with this status (pending, completed, failed, ...)"},
        {"workflow", "NAME", "only runs of this workflow"},
        {"forked-from", "RUN_ID", "only the forks of this run (weft fork)"},
        {"limit", "N", "at most N runs (default 1000)"}, kJson},
       cmd_runs, ""},
      {"history", "RUN_ID", "print a run's timeline", {kDbExisting, kJson}, cmd_history, ""},
      {"replay", "[RUN_ID]",
       "re-execute a run against its history with no side effects; report the first divergence",
       {kDbExisting,
        kScript, kLatest, kWorkflowsForLatest,
        {"workflow", "NAME", "replay many runs of this workflow (with --script or --latest)"},
        {"status", "STATUS", "with --workflow: only runs with this status"},
        {"since", "WHEN", "with --workflow: only runs created since (24h, or 2026-12-01)"},
        {"limit", "N", "with --workflow: at most N runs (default 1000)"},
        {"bundle", "FILE", "replay the run of a repro bundle (weft export) instead of RUN_ID"}, kJson},
       cmd_replay, kReplayNotes},
      {"debug", "RUN_ID", "step back and forth through a recorded run: source, records, locals",
       {kDbExisting, kScript, kLatest, kWorkflowsForLatest,
        {"bundle", "FILE", "debug the run of a repro bundle instead of RUN_ID"},
        {"commands", "CMDS", "run these ;-separated commands instead of reading stdin"},
        {"json", "", "print the answers as one JSON array"}},
       cmd_debug, kDebugNotes},
      {"export", "RUN_ID", "write a run, its history and its code to one JSON repro bundle",
       {kDbExisting, {"output", "FILE", "the bundle file (default: stdout)"}}, cmd_export, ""},
      {"import", "FILE", "load a repro bundle as a new run that nothing executes; print its id",
       {kDbCreated}, cmd_import, ""},
      {"schedules", "", "list the cron schedules of a workflows folder and their next fire",
       {{"workflows", "DIR", "the workflows folder (default .)"}, kJson},
       cmd_schedules, ""},
      {"queues", "", "list the queues of a workflows folder: active, waiting by priority, oldest wait",
       {{"workflows", "DIR", "the workflows folder (default .)"}, kDbExisting, kJson},
       cmd_queues, ""},
      {"limits", "", "list the rate limits with state: tokens left, slowdown, runs waiting, push-backs",
       {kDbExisting, {"limit", "N", "at most N keys, most recently used first (default 100)"}, kJson},
       cmd_limits, ""},
      {"show", "WORKFLOW", "print a workflow's triggers, policies and pipeline graph",
       {{"workflows", "DIR", "the workflows folder (default .)"},
        {"format", "FORMAT", "text (default), or a pipeline's graph as mermaid or dot"}},
       cmd_show, ""},
      {"test", "[PATH ...]", "run the *_test.lua tests of workflows with mocked HTTP and virtual time",
       {{"filter", "TEXT", "only the tests whose name contains TEXT"},
        {"junit", "FILE", "also write the results as JUnit XML to FILE"}},
       cmd_test, kTestNotes},
      {"serve", "", "run the engine as an HTTP service", serve_options(), cmd_serve, kServeNotes},
      {"blob", "(list [PREFIX] | get PATH | put PATH | delete PATH)", "read and write weft.blob objects",
       {{"tenant", "NAME", "the objects of this tenant's namespace (default: the shared one)"},
        {"output", "FILE", "blob get: write the object to FILE (default: stdout)"},
        {"from-file", "F", "blob put: read the object from F (default: stdin)"},
        {"content-type", "TYPE", "blob put: its content type (default application/octet-stream)"},
        {"limit", "N", "blob list: at most N objects (default 1000)"}, kJson,
        {"db", "PATH", "the database (default ./weft.db; blob put creates it)"}},
       cmd_blob, ""},
      {"secrets", "(set NAME | list | delete NAME | rotate-key)", "manage encrypted secrets",
       {{"tenant", "NAME", "set, list, delete: in this tenant's namespace (default: the shared one)"},
        {"value", "V", "secrets set: the value (default: --from-file, else stdin)"},
        {"from-file", "F", "secrets set: read the value from this file"},
        {"expires-at", "TIME", "secrets set: when it expires (RFC 3339 or unix seconds)"},
        {"meta", "JSON", "secrets set: a JSON object describing it (at most 4 KiB, never the value)"},
        kJson, {"db", "PATH", "the database (default ./weft.db; secrets set creates it)"}, kKeyFile},
       cmd_secrets, ""},
  };
  return table;
}

const CommandSpec* find_command(const std::string& name) {
  for (const auto& command : cli_commands())
    if (command.name == name) return &command;
  return nullptr;
}

}  // namespace weft::api
