// Storage of runs: runs, history, inbox (events sent to runs), leases,
// redrive, and the webhook audit records that ride in the same commits.
// Part of Store (store.hpp); sqlite_run_store.cpp implements it.
//
// Design: every change goes through `commit`, which applies a batch of
// per-run writes in one durable transaction (the group committer puts the
// writes of many runs in one batch). A write may be fenced by the lease
// owner: if the run is no longer leased to that owner, its mutations are
// skipped and the write is reported as rejected, the others still apply.
#pragma once
#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "engine/history_event.hpp"
#include "engine/queue_spec.hpp"
#include "engine/run.hpp"

namespace weft::engine {

struct InboxEvent {
  int64_t id = 0;
  std::string run_id;
  std::string name;
  nlohmann::json payload;
  int64_t created_at = 0;
};

struct InsertRun {
  Run run;
};

// ctx:start: inserts `run` and records the starting call, `event`, whose
// result is { run_id }. When the run's idempotency key names a run of its
// workflow and tenant already, nothing is inserted and the event names
// that run instead ({ run_id, existing = true }).
struct StartRun {
  Run run;
  HistoryEvent event;
};

// Sets the run's status, result/error and wake time. When `release_lease`,
// the lease is dropped (the run is parked or finished). When the run parks
// as Waiting for `await_events` and one of them is already in its inbox,
// the run is made due at once instead, so no delivery is ever missed.
struct UpdateRun {
  std::string id;
  RunStatus status = RunStatus::Running;
  nlohmann::json result;
  nlohmann::json error;
  int64_t wake_at = 0;
  bool release_lease = false;
  std::vector<std::string> await_events;
  int64_t updated_at = 0;
};

struct PutEvent {  // inserts, or completes the event at the same (run, seq, attempt)
  HistoryEvent event;
};

struct ConsumeInbox {
  std::string run_id;
  int64_t inbox_id = 0;
  int64_t seq = 0;  // the wait_event that took it
};

struct WakeRun {  // a parked, unfinished run becomes due at `at`
  std::string id;
  int64_t at = 0;
};

// The audit record of one webhook delivery (api/webhook_ingress.cpp).
struct WebhookDelivery {
  int64_t id = 0;          // assigned by the store, increasing
  std::string route;       // "/hooks/github"
  std::string workflow;
  std::string provider;    // the verify preset; "" when unverified by declaration
  bool verified = false;
  std::string dedup_key;   // the declared key's value; "" when none
  bool dedup_hit = false;  // a redelivery: no new run
  std::string run_id;      // started or found by dedup
  int status = 0;          // the HTTP status answered
  std::string outcome;     // started | duplicate | ignored | rejected | failed
  std::string error;       // why it was rejected or failed
  int64_t duration_us = 0;
  std::string remote;      // source address
  int64_t received_at = 0; // Unix ms
};

// Appends a webhook delivery's audit record (id assigned by the store). It
// rides in the group commit: no transaction or fsync of its own.
struct AppendDelivery {
  WebhookDelivery delivery;
};

using Mutation = std::variant<InsertRun, StartRun, UpdateRun, PutEvent, ConsumeInbox, WakeRun, AppendDelivery>;

struct RunWrite {
  std::string run_id;
  std::string fence_owner;  // empty: not fenced
  std::vector<Mutation> mutations;
};

// A page of runs: oldest first, or with `newest_first` newest first and
// strictly after `after` (the last run of the previous page) in that order.
struct RunCursor {
  int64_t created_at = 0;
  std::string id;
};

struct RunFilter {
  std::optional<RunStatus> status;
  std::string workflow;
  std::string root_id;
  std::optional<std::string> tenant;  // nullopt: any tenant
  int64_t created_since = 0;          // created_at >= this; 0 = any
  bool unfinished_only = false;
  bool top_level_only = false;        // no child runs
  std::string forked_from;            // only the forks of this run
  std::string started_by;             // only the runs this run started (ctx:start)
  bool newest_first = false;
  std::optional<RunCursor> after;
  int64_t limit = 1000;
};

// A page of a run's history: the events with seq > after_seq in (seq,
// attempt) order, at most `limit` of them, never splitting the attempts of
// one seq across pages (a seq with more attempts than `limit` comes whole,
// alone). `more`: events remain after the page's last seq.
struct HistoryPage {
  std::vector<HistoryEvent> events;
  bool more = false;
};

struct ClaimRequest {
  std::string owner;
  int64_t now = 0;
  int64_t lease_ms = 30'000;
  int limit = 64;
  std::string root_id;  // only this run tree; empty = any
  // The queues the workflows declare: a queued run is claimed only while
  // its queue has a free slot (queue_spec.hpp), counted across processes.
  std::vector<QueueSpec> queues;
};

enum class CancelOutcome { NotFound, AlreadyFinished, Cancelled, Requested };

// Puts a failed run back to pending, due at `now`, in one transaction with
// its redrive `markers` (see redrive.hpp), only while it is still failed.
struct RedriveRequest {
  std::string run_id;
  std::vector<HistoryEvent> markers;
  std::string script_hash;  // the version to go on with; "" = the run's own
  int64_t deadline = 0;
  int64_t now = 0;
};

enum class DeliverOutcome { NotFound, AlreadyFinished, Delivered };

// What GET /metrics reports of stored runs, counted when it is asked.
struct RunCensus {
  // (workflow, status) -> runs, for runs not yet ended and failed runs;
  // runs that completed, compensated or were cancelled are not counted.
  std::map<std::pair<std::string, std::string>, int64_t> runs;
  int64_t timers_pending = 0;  // unfinished runs parked until a wake time still ahead
  int64_t oldest_due_at = 0;   // the earliest wake time passed but not yet claimed; 0: none
};

class RunStore {
 public:
  virtual ~RunStore() = default;

  // Applies all writes in one durable transaction; element i of the result
  // tells whether writes[i] was applied (false: its fence failed, or it
  // inserts a run whose id or idempotency key exists — then nothing of
  // that write after the insert is meaningful and the caller looks up the
  // existing run).
  virtual std::vector<bool> commit(const std::vector<RunWrite>& writes) = 0;

  virtual std::optional<Run> get_run(const std::string& id) = 0;
  // Idempotency keys are scoped by workflow and tenant.
  virtual std::optional<Run> find_run_by_idempotency(const std::string& workflow,
                                                     const std::string& tenant,
                                                     const std::string& key) = 0;
  virtual std::vector<Run> list_runs(const RunFilter& filter) = 0;
  virtual std::vector<HistoryEvent> history(const std::string& run_id) = 0;
  // Reads only that page (see HistoryPage).
  virtual HistoryPage history_page(const std::string& run_id, int64_t after_seq, int64_t limit) = 0;
  virtual std::vector<InboxEvent> unconsumed_inbox(const std::string& run_id) = 0;

  // Leases due runs (parked runs whose time came, new runs, runs whose
  // lease lapsed) to `owner` and returns them, status set to Running.
  virtual std::vector<Run> claim_due(const ClaimRequest& request) = 0;
  // Extends the leases of `ids` held by owner; returns those whose
  // cancellation was requested meanwhile.
  virtual std::vector<std::string> renew_leases(const std::string& owner,
                                                const std::vector<std::string>& ids,
                                                int64_t expires) = 0;
  virtual std::vector<std::string> lease_owners() = 0;
  virtual void break_leases(const std::string& owner) = 0;
  // Runs by workflow and status, and the timers' state at `now`.
  virtual RunCensus run_census(int64_t now) = 0;
  virtual QueueStats queue_stats(const QueueSpec& queue, int64_t now) = 0;
  // Unfinished runs of a queue no workflow declares any more are claimed
  // as soon as due from now on, instead of waiting for ever.
  virtual void release_undeclared_queues(const std::vector<QueueSpec>& declared) = 0;

  virtual DeliverOutcome deliver_event(const std::string& run_id, const std::string& name,
                                       const nlohmann::json& payload, int64_t now) = 0;
  virtual CancelOutcome request_cancel(const std::string& run_id, int64_t now) = 0;
  // False when the run is not (or no longer) failed: nothing was written.
  virtual bool redrive(const RedriveRequest& request) = 0;
};

}  // namespace weft::engine
