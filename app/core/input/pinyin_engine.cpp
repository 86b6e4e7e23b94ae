#include "core/input/pinyin_engine.hpp"

#include <rime_api.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>

#include "core/support/safe_file.hpp"
#include "core/support/shared_library.hpp"

namespace eco::input {

namespace {

// librime (with ICU, yaml-cpp, leveldb, OpenCC and glog behind it) is opened at the
// first start(), not with the program: the welcome screen never needs it (issue 20).
std::atomic<RimeApi*> g_api{nullptr};
RimeApi* api() { return g_api.load(std::memory_order_acquire); }
// The API table, loading the library on first call; null with `why` when it cannot.
RimeApi* load_api(const std::string& soname, std::string& why) {
  static SharedLibrary librime("librime.so.1", "librime1");
  SharedLibrary* lib = &librime;
  std::unique_ptr<SharedLibrary> other;  // a test's missing library
  if (soname != librime.soname()) {
    other = std::make_unique<SharedLibrary>(soname, "librime1");
    lib = other.get();
  }
  if (RimeApi* a = api(); a && lib == &librime) return a;
  RimeApi* (*get)() = nullptr;
  if (!lib->bind(get, "rime_get_api") || !get()) {
    why = "pinyin input unavailable: " + lib->error();
    return nullptr;
  }
  RimeApi* a = get();
  if (lib == &librime) g_api.store(a, std::memory_order_release);
  else (void)other.release();  // never unloaded (see SharedLibrary)
  return a;
}

// librime's runtime is process-wide and glog may be initialised only once.
std::once_flag g_setup;
std::string g_user_dir;  // the folder the runtime was set up with
std::mutex g_deploy_mu;  // one deployment at a time
bool g_deployed = false;
// librime's service is a function-local static made during setup(), so at exit it is
// destroyed before any engine made earlier (a test's static one): that engine's
// destroy_session then ran on a dead service and could hang for good. An atexit
// handler registered after setup() runs before the service goes: it finalizes the
// runtime, and engines destroyed later leave librime alone.
std::atomic<bool> g_runtime_gone{false};
void finalize_at_exit() {
  std::lock_guard lock(g_deploy_mu);
  g_runtime_gone.store(true);
  api()->finalize();
}

bool write_file(const std::filesystem::path& p, const std::string& body) {
  std::ofstream f(p, std::ios::binary | std::ios::trunc);
  f << body;
  f.close();
  std::error_code ec;
  std::filesystem::permissions(p, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write, ec);
  return static_cast<bool>(f);
}

}  // namespace

PinyinEngine::~PinyinEngine() {
  if (session_ && api() && !g_runtime_gone.load()) api()->destroy_session(static_cast<RimeSessionId>(session_));
}

std::string PinyinEngine::error() const {
  std::lock_guard lock(mu_);
  return error_;
}

bool PinyinEngine::start(const Options& o) {
  auto fail = [&](const std::string& why) {
    {
      std::lock_guard lock(mu_);
      error_ = why;
    }
    failed_.store(true, std::memory_order_release);
    return false;
  };
  auto t0 = std::chrono::steady_clock::now();
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_regular_file(fs::path(o.shared_dir) / (o.schema + ".schema.yaml"), ec))
    return fail("no " + o.schema + " schema in " + o.shared_dir + " (install rime-data-pinyin-simp)");
  if (!fs::is_regular_file(fs::path(o.shared_dir) / "default.yaml", ec))
    return fail("no default.yaml in " + o.shared_dir + " (install rime-prelude)");
  if (o.user_dir.empty()) return fail("no folder for the pinyin dictionaries");
  if (std::string why; !load_api(o.library, why)) return fail(why);
  if (std::string why = make_private_dirs(o.user_dir); !why.empty()) return fail(why);
  {
    std::lock_guard lock(g_deploy_mu);
    bool first = false;
    std::call_once(g_setup, [&] {
      first = true;
      g_user_dir = o.user_dir;
      // Only this schema is deployed, and it never learns from what is typed.
      write_file(fs::path(o.user_dir) / "default.custom.yaml",
                 "# Written by EcoKiosk: deploy only the schema the kiosk uses.\n"
                 "patch:\n  schema_list:\n    - schema: " + o.schema + "\n");
      // The stroke reverse lookup (typing ` then strokes) is left out: nobody can find it on
      // a touch keyboard, and building its tables made the first deployment five times longer.
      write_file(fs::path(o.user_dir) / (o.schema + ".custom.yaml"),
                 "# Written by EcoKiosk: a public kiosk keeps no record of what residents type.\n"
                 "patch:\n  \"translator/enable_user_dict\": false\n"
                 "  \"schema/dependencies\": []\n"
                 "  \"engine/translators\": [punct_translator, script_translator]\n");
      // The folders and strings must outlive setup(): librime keeps the pointers.
      static std::string shared, user;
      shared = o.shared_dir;
      user = o.user_dir;
      RIME_STRUCT(RimeTraits, traits);
      traits.shared_data_dir = shared.c_str();
      traits.user_data_dir = user.c_str();
      traits.distribution_name = "EcoKiosk";
      traits.distribution_code_name = "ecokiosk";
      traits.distribution_version = "1";
      traits.app_name = "rime.ecokiosk";
      traits.min_log_level = 2;  // errors only, to stderr (the journal)
      traits.log_dir = "";
      api()->setup(&traits);
      api()->initialize(&traits);
      std::atexit(finalize_at_exit);
    });
    if (!first && fs::path(g_user_dir) != fs::path(o.user_dir))
      return fail("librime is already running with " + g_user_dir);
    if (!g_deployed) {
      // false: deploy only when something changed (always on the first run).
      if (api()->start_maintenance(False)) api()->join_maintenance_thread();
      g_deployed = true;
    }
  }
  RimeSessionId s = api()->create_session();
  if (!s) return fail("librime could not open a session");
  session_ = static_cast<std::uintptr_t>(s);
  if (!api()->select_schema(s, o.schema.c_str())) return fail("librime could not select " + o.schema);
  // A deployment that failed leaves a schema without a dictionary: check one syllable.
  api()->process_key(s, 'a', 0);
  bool works = false;
  RIME_STRUCT(RimeContext, ctx);
  if (api()->get_context(s, &ctx)) {
    works = ctx.menu.num_candidates > 0;
    api()->free_context(&ctx);
  }
  api()->clear_composition(s);
  if (!works) return fail("the " + o.schema + " dictionary did not load from " + o.user_dir);
  deploy_ms_ = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  ready_.store(true, std::memory_order_release);
  return true;
}

bool PinyinEngine::type(char letter) {
  if (!ready() || letter < 'a' || letter > 'z' || input().size() >= kMaxInput) return false;
  return api()->process_key(static_cast<RimeSessionId>(session_), letter, 0);
}

bool PinyinEngine::backspace() {
  if (!ready() || !composing()) return false;
  api()->process_key(static_cast<RimeSessionId>(session_), 0xff08 /* XK_BackSpace */, 0);
  return true;
}

void PinyinEngine::clear() {
  if (ready()) api()->clear_composition(static_cast<RimeSessionId>(session_));
}

std::string PinyinEngine::input() const {
  if (!ready()) return {};
  const char* in = api()->get_input(static_cast<RimeSessionId>(session_));
  return in ? in : "";
}

bool PinyinEngine::composing() const { return !input().empty(); }

std::string PinyinEngine::preedit() const {
  if (!ready()) return {};
  std::string out;
  RIME_STRUCT(RimeContext, ctx);
  if (api()->get_context(static_cast<RimeSessionId>(session_), &ctx)) {
    if (ctx.composition.preedit) out = ctx.composition.preedit;
    api()->free_context(&ctx);
  }
  return out;
}

std::vector<std::string> PinyinEngine::candidates(std::size_t first, std::size_t max) const {
  std::vector<std::string> out;
  if (!ready() || !composing()) return out;
  RimeCandidateListIterator it = {};
  if (!api()->candidate_list_from_index(static_cast<RimeSessionId>(session_), &it, static_cast<int>(first)))
    return out;
  while (out.size() < max && api()->candidate_list_next(&it))
    if (it.candidate.text) out.emplace_back(it.candidate.text);
  api()->candidate_list_end(&it);
  return out;
}

std::string PinyinEngine::take_commit() {
  std::string out;
  RIME_STRUCT(RimeCommit, commit);
  if (api()->get_commit(static_cast<RimeSessionId>(session_), &commit)) {
    if (commit.text) out = commit.text;
    api()->free_commit(&commit);
  }
  return out;
}

std::string PinyinEngine::pick(std::size_t i) {
  if (!ready() || !composing()) return {};
  if (!api()->select_candidate(static_cast<RimeSessionId>(session_), i)) return {};
  return take_commit();
}

}  // namespace eco::input
