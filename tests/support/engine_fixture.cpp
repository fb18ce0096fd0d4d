// The engine fixture (see engine_fixture.hpp).
#include "stdlib/run_services.hpp"
#include "tests/support/engine_fixture.hpp"

#include <fstream>
#include <stdexcept>

namespace weft::testing {

EngineFixture::EngineFixture(const StoreMaker& make_store) {
  std::filesystem::create_directories(dir.path() / "workflows");
  store = make_store ? make_store(dir.path()) : engine::open_store((dir.path() / "weft.db").string());
  catalog = std::make_unique<dsl::LuaWorkflowCatalog>(store->scripts(), (dir.path() / "workflows").string());
  secret_keys = std::make_unique<stdlib::SecretKeys>((dir.path() / "weft.key").string());
  restart();
}

EngineFixture::~EngineFixture() { engine.reset(); }

void EngineFixture::restart() {
  engine.reset();
  engine::EngineOptions options;
  options.workers = 1;
  options.background = false;
  options.executors = stdlib::lua_executors(*catalog, secret_keys.get());
  options.run_schedules = true;  // ticked by hand (tick_schedules)
  engine = std::make_unique<engine::Engine>(*store, *catalog, clock, options);
}

void EngineFixture::write_workflow(const std::string& file, const std::string& source) {
  auto path = dir.path() / "workflows" / (file + ".lua");
  std::ofstream(path) << source;
  catalog->add_file(path.string());
}

engine::Run EngineFixture::start(const std::string& workflow, const nlohmann::json& input) {
  return start(workflow, input, "");
}

engine::Run EngineFixture::start(const std::string& workflow, const nlohmann::json& input,
                                 const std::string& tenant) {
  engine::StartOptions options;
  options.tenant = tenant;
  auto run = engine->start_run(workflow, input, options);
  settle();
  return run;
}

void EngineFixture::settle() {
  for (int round = 0; round < 1000; ++round) {
    engine->wait_idle();
    if (engine->poll() == 0) return;
  }
  throw std::runtime_error("settle: runs kept becoming due");
}

void EngineFixture::advance(int64_t ms) {
  clock.advance_ms(ms);
  settle();
}

engine::Run EngineFixture::run(const std::string& id) {
  auto run = store->runs().get_run(id);
  if (!run) throw std::runtime_error("no run " + id);
  return *run;
}

std::vector<engine::HistoryEvent> EngineFixture::history(const std::string& id) {
  return store->runs().history(id);
}

}  // namespace weft::testing
