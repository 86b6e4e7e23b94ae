#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <atomic>
#include <set>
#include <thread>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>

#include "core/support/config.hpp"
#include "core/support/i18n.hpp"
#include "core/support/time.hpp"
#include "core/support/ids.hpp"
#include "core/support/shared_library.hpp"
#include "core/support/text.hpp"
#include "helpers.hpp"

using namespace eco;

TEST_CASE("UTC times round-trip through ISO 8601") {
  TimeMs t = 1'561'087'800'250;  // 2019-06-21T03:30:00.250Z
  CHECK(to_iso_utc(t) == "2019-06-21T03:30:00.250Z");
  CHECK(parse_iso_utc("2019-06-21T03:30:00.250Z") == t);
  CHECK(parse_iso_utc("2019-06-21T03:30:00Z") == t - 250);
  CHECK(parse_iso_utc("2019-06-21T03:30:00+00:00") == t - 250);
  CHECK(!parse_iso_utc("2019-06-21T03:30:00+08:00"));  // only UTC is accepted
  CHECK(!parse_iso_utc("2019-02-30T00:00:00Z"));
  CHECK(parse_date_utc("2020-02-29"));
  CHECK(!parse_date_utc("2019-02-29"));
  CHECK(!parse_date_utc("2019-6-1"));
}

TEST_CASE("UTF-8 validation refuses overlong forms and surrogates") {
  CHECK(valid_utf8("生态文明 ok"));
  CHECK(!valid_utf8("\xc0\xaf"));
  CHECK(!valid_utf8("\xed\xa0\x80"));
  CHECK(!valid_utf8("\xe7\x94"));
  CHECK(utf8_length("生态ab") == 4);
}

TEST_CASE("uuids are v4 and unique") {
  auto a = new_uuid(), b = new_uuid();
  CHECK(is_uuid(a));
  CHECK(a != b);
  CHECK(a[14] == '4');
}

// A response id is its key everywhere (kiosk, import, center): two alike would make one
// resident's answers replace another's. Many ids, from threads and from a forked child
// (which inherits whatever random state the parent had), must all differ and all be
// version 4 with the RFC 4122 variant.
TEST_CASE("uuids stay unique across 200,000 ids, four threads and a forked child") {
  std::set<std::string> seen;
  auto take = [&](const std::string& id) {
    REQUIRE(is_uuid(id));
    REQUIRE(id[14] == '4');
    REQUIRE(std::string_view("89ab").find(id[19]) != std::string_view::npos);
    REQUIRE(id == lower_ascii(id));
    REQUIRE(seen.insert(id).second);
  };
  for (int i = 0; i < 100'000; ++i) take(new_uuid());
  std::vector<std::vector<std::string>> per(4);
  std::vector<std::thread> threads;
  for (auto& v : per)
    threads.emplace_back([&v] {
      for (int i = 0; i < 20'000; ++i) v.push_back(new_uuid());
    });
  for (auto& t : threads) t.join();
  for (const auto& v : per)
    for (const auto& id : v) take(id);
  // The child writes its ids to a pipe; the parent makes as many at the same time.
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::close(fds[0]);
    for (int i = 0; i < 10'000; ++i) {
      std::string id = new_uuid() + "\n";
      if (::write(fds[1], id.data(), id.size()) != static_cast<ssize_t>(id.size())) ::_exit(2);
    }
    ::_exit(0);
  }
  ::close(fds[1]);
  std::vector<std::string> mine;
  for (int i = 0; i < 10'000; ++i) mine.push_back(new_uuid());
  std::string got;
  char buf[4096];
  for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;) got.append(buf, static_cast<std::size_t>(n));
  ::close(fds[0]);
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  REQUIRE((WIFEXITED(status) && WEXITSTATUS(status) == 0));
  for (const auto& id : mine) take(id);
  std::size_t from_child = 0;
  for (std::size_t at = 0, nl; (nl = got.find('\n', at)) != std::string::npos; at = nl + 1, ++from_child)
    take(got.substr(at, nl - at));
  CHECK(from_child == 10'000);
  CHECK(seen.size() == 200'000);
}

TEST_CASE("configuration: defaults, range checks with clear messages, bad values keep defaults") {
  test::TempDir dir;
  auto none = load_config(dir.file("absent.json"));
  CHECK(!none.file_found);
  CHECK(none.errors.empty());
  CHECK(none.config.idle_seconds == 60);
  std::string f = dir.write("c.json", R"({"kiosk_id":"hall-3","idle_seconds":3,"countdown_seconds":20,
    "default_lang":"fr","finish_seconds":12.5,"colour":"green","questionnaires":["knowledge"]})");
  auto c = load_config(f);
  CHECK(c.config.kiosk_id == "hall-3");
  CHECK(c.config.idle_seconds == 60);
  CHECK(c.config.countdown_seconds == 20);
  CHECK(c.config.default_lang == "zh");
  CHECK(c.config.finish_seconds == 30);
  CHECK(c.config.questionnaires == std::vector<std::string>{"knowledge"});
  REQUIRE(c.errors.size() == 4);
  CHECK(c.errors[0] == f + ": idle_seconds: 3 is outside 10..600; keeping 60");
  auto joined = c.errors[1] + c.errors[2] + c.errors[3];
  CHECK(joined.find("finish_seconds: must be a whole number") != std::string::npos);
  CHECK(joined.find("default_lang") != std::string::npos);
  CHECK(joined.find("colour: unknown setting") != std::string::npos);
}

TEST_CASE("strings fall back to Chinese, then to the key") {
  test::TempDir dir;
  dir.write("zh.json", R"({"a.b":"中文","only.zh":"只有中文"})");
  dir.write("en.json", R"({"a.b":"English"})");
  Strings s;
  std::vector<std::string> errors;
  REQUIRE(s.load_dir(dir.path.string(), errors));
  CHECK(errors.empty());
  CHECK(s.get("en", "a.b") == "English");
  CHECK(s.get("en", "only.zh") == "只有中文");
  CHECK(s.get("en", "missing.key") == "missing.key");
  CHECK(Strings::format("第{i}题,共{n}题", {{"i", "3"}, {"n", "12"}}) == "第3题,共12题");
}

TEST_CASE("mobile numbers and ID numbers are masked in free text") {
  std::string t = "请联系我 13812345678,或 139-1234-5678,身份证 11010519491231002X。编号 12345 不变。";
  CHECK(eco::mask_personal(t) == 3);
  CHECK(t.find("13812345678") == std::string::npos);
  CHECK(t.find("***********") != std::string::npos);
  CHECK(t.find("***-****-****") != std::string::npos);
  CHECK(t.find("11010519491231002X") == std::string::npos);
  CHECK(t.find("******************") != std::string::npos);
  CHECK(t.find("编号 12345 不变") != std::string::npos);
  std::string keep = "公交 2 路 10 分钟一班,电话 12345 热线,年份 2019";
  std::string before = keep;
  CHECK(eco::mask_personal(keep) == 0);
  CHECK(keep == before);
  std::string longer = "订单号 138123456789012";  // 15 digits: not a phone number
  CHECK(eco::mask_personal(longer) == 0);
}

TEST_CASE("masking: a table of the forms people really type") {
  struct Case { const char* in; const char* out; int n; };
  const Case cases[] = {
      // Masked: every digit of the number becomes one asterisk.
      {"电话+86 138 0013 8000", "电话+** *** **** ****", 1},
      {"+8613800138000", "+*************", 1},
      {"0086 13800138000", "**** ***********", 1},
      {"１３８００１３８０００", "***********", 1},                  // full-width digits
      {"手机１３８ ００１３ ８０００谢谢", "手机*** **** ****谢谢", 1},
      {"13800138000 13900139000", "*********** ***********", 2},  // two numbers, one space
      {"第5 13800138000", "第5 ***********", 1},                     // a digit and a space before
      {"138－0013－8000", "***－****－****", 1},                    // full-width dashes
      {"138\u30000013\u30008000", "***\u3000****\u3000****", 1},  // ideographic spaces
      {"身份证110105491231002", "身份证***************", 1},          // 15-digit (old) ID
      {"11010519491231002x", "******************", 1},
      {"ID １１０１０５１９４９１２３１００２Ｘ", "ID ******************", 1},
      {"110105 19491231 002X", "****** ******** ****", 1},
      {"+86 (138) 0013-8000", "+** (***) ****-****", 1},                  // parentheses
      {"（１３８）００１３ ８０００", "（***）**** ****", 1},
      {"138.0013.8000", "***.****.****", 1},                              // dots
      {"138  0013  8000", "***  ****  ****", 1},                          // double spaces
      {"110105194912310021110105194912310021", "************************************", 2},  // two IDs together
      {"1380013800013900139000", "**********************", 2},            // two mobiles together
      // Not masked: years, amounts, dates, short numbers, counts.
      {"2019年", "2019年", 0},
      {"1500元", "1500元", 0},
      {"2019-06-21", "2019-06-21", 0},
      {"2019年6月21日 下午3点", "2019年6月21日 下午3点", 0},
      {"补贴 1500 元, 共 2000 元", "补贴 1500 元, 共 2000 元", 0},
      {"12345 热线", "12345 热线", 0},
      {"公交 2 路 10 分钟", "公交 2 路 10 分钟", 0},
      {"２０１９年", "２０１９年", 0},
      {"订单 138123456789012", "订单 138123456789012", 0},  // 15 digits, no birth date
      {"10086", "10086", 0},
      {"3.1415926535", "3.1415926535", 0},
      {"2019.06.21", "2019.06.21", 0},
      {"(2019) 年 1500.50 元", "(2019) 年 1500.50 元", 0},
      {"QQ 12345678", "QQ 12345678", 0},
      {"QQ号 1234567890", "QQ号 1234567890", 0},
      {"2019年 1500元", "2019年 1500元", 0},
  };
  for (const auto& c : cases) {
    std::string in = c.in, want = c.out;
    CAPTURE(c.in);
    CHECK(eco::mask_personal(in) == c.n);
    CHECK(in == want);
  }
}

TEST_CASE("the district's clock: local text and local days") {
  // 2019-06-30T17:00Z is 1 July, 01:00 in China.
  CHECK(eco::to_local_text(1'561'914'000'000, 480) == "2019-07-01 01:00:00");
  CHECK(eco::to_local_text(1'561'914'000'000, 0) == "2019-06-30 17:00:00");
  auto day = eco::parse_local_day("2019-07-01", 480);
  REQUIRE(day);
  CHECK(*day == 1'561'910'400'000);  // 2019-06-30T16:00Z
  CHECK_FALSE(eco::parse_local_day("2019-7-1", 480));
  CHECK_FALSE(eco::parse_local_day("2019-02-30", 480));
}

TEST_CASE("a range of days as staff type it: both ends inclusive, open ends, and each bad input named") {
  using eco::DayRangeFault;
  auto r = eco::parse_day_range("2019-07-01", "2019-07-01", 480);  // one day
  REQUIRE(r.ok());
  CHECK(*r.from == 1'561'910'400'000);               // 2019-06-30T16:00Z, local midnight
  CHECK(*r.to == 1'561'910'400'000 + 86'400'000);    // the whole day
  auto open = eco::parse_day_range("", "", 480);     // empty: everything
  CHECK(open.ok());
  CHECK_FALSE(open.from);
  CHECK_FALSE(open.to);
  auto from_only = eco::parse_day_range("2019-07-01", "", 0);
  CHECK(from_only.ok());
  CHECK(from_only.from);
  CHECK_FALSE(from_only.to);
  CHECK(eco::parse_day_range("", "2019-07-01", 0).to);
  CHECK(eco::parse_day_range("2019-02-30", "", 480).fault == DayRangeFault::bad_from);  // no such day
  CHECK(eco::parse_day_range("2019-02-28", "2019-02-30", 480).fault == DayRangeFault::bad_to);
  CHECK(eco::parse_day_range("2020-02-29", "2020-02-29", 480).ok());  // a leap day is a day
  CHECK(eco::parse_day_range("2019-7-1", "", 480).fault == DayRangeFault::bad_from);
  CHECK(eco::parse_day_range(" 2019-07-01", "", 480).fault == DayRangeFault::bad_from);
  CHECK(eco::parse_day_range("2019-07-01", "tomorrow", 480).fault == DayRangeFault::bad_to);
  auto reversed = eco::parse_day_range("2019-07-02", "2019-07-01", 480);
  CHECK(reversed.fault == DayRangeFault::reversed);
  CHECK_FALSE(reversed.ok());
  // A bad start is named first, whatever the end holds.
  CHECK(eco::parse_day_range("x", "y", 480).fault == DayRangeFault::bad_from);
}

TEST_CASE("configuration: one bad value costs only its key, with file, line and column, and kiosk_id never falls back") {
  test::TempDir dir;
  struct Case { const char* name; std::string text; const char* where; bool refused; };
  const Case cases[] = {
      {"huge.json", "{\"kiosk_id\": \"hall-3\",\n \"idle_seconds\": 1e400,\n \"countdown_seconds\": 20}", ":2:", false},
      {"comma.json", "{\"kiosk_id\": \"hall-3\",,\n \"countdown_seconds\": 20, \"idle_seconds\": 90}", ":1:", false},
      {"utf8.json", "{\"kiosk_id\": \"hall-3\",\n \"hall_name\": {\"zh\": \"\xff\xfe\"},\n \"countdown_seconds\": 20}", ":2:", false},
      {"badid.json", "{\"kiosk_id\": \"hall\xff\",\n \"countdown_seconds\": 20}", ":1:", true},
  };
  for (const auto& c : cases) {
    CAPTURE(c.name);
    std::string f = dir.write(c.name, c.text);
    auto l = load_config(f);
    REQUIRE_FALSE(l.errors.empty());
    bool located = false;
    for (const auto& e : l.errors) located |= e.rfind(f + c.where, 0) == 0;
    CHECK(located);
    CHECK(l.config.countdown_seconds == 20);  // the good keys are kept
    if (c.refused) {
      CHECK_FALSE(l.kiosk_refused.empty());
    } else {
      CHECK(l.config.kiosk_id == "hall-3");
      CHECK(l.kiosk_refused.empty());
    }
  }
  // A folder as the file, a bad kiosk_id, an empty one: the kiosk must not start.
  std::filesystem::create_directories(dir.path / "folder.json");
  auto folder = load_config(dir.file("folder.json"));
  CHECK(folder.file_found);
  CHECK(folder.errors.at(0).find("is a folder") != std::string::npos);
  CHECK_FALSE(folder.kiosk_refused.empty());
  auto empty_id = load_config(dir.write("e.json", R"({"kiosk_id": ""})"));
  CHECK_FALSE(empty_id.kiosk_refused.empty());
  auto broken = load_config(dir.write("b.json", R"({"idle_seconds": 90,, "kiosk_id": )"));
  CHECK_FALSE(broken.kiosk_refused.empty());
  CHECK(broken.config.idle_seconds == 90);
  auto big = load_config(dir.write("big.json", "{\"kiosk_id\":\"k\",\"x\":\"" + std::string(2u << 20, 'a') + "\"}"));
  CHECK_FALSE(big.kiosk_refused.empty());
  // Unknown questionnaire ids are named.
  Config cfg;
  cfg.questionnaires = {"knowledge", "knowlege"};
  auto unknown = unknown_questionnaires(cfg, {"knowledge", "satisfaction", "green-travel"});
  REQUIRE(unknown.size() == 1);
  CHECK(unknown[0].find("\"knowlege\" is not a known questionnaire") != std::string::npos);
}

TEST_CASE("configuration: a key written twice is an error with line and column, and a doubled kiosk_id refuses the kiosk") {
  test::TempDir dir;
  std::string f = dir.write("dup.json", "{\"kiosk_id\":\"hall-9\",\n \"idle_seconds\": 90,\n \"kiosk_id\":\"evil\"}");
  auto l = load_config(f);
  bool located = false;
  for (const auto& e : l.errors)
    located |= e.rfind(f + ":3:2: \"kiosk_id\" appears more than once", 0) == 0;
  CHECK(located);
  CHECK_FALSE(l.kiosk_refused.empty());
  CHECK(l.config.idle_seconds == 90);
  // An escaped spelling of the same key is the same key.
  auto esc = load_config(dir.write("esc.json", R"({"kiosk_id":"hall-9","kiosk\u005fid":"evil"})"));
  CHECK_FALSE(esc.kiosk_refused.empty());
  // Another setting twice: reported, the kiosk still starts; same names in different objects are fine.
  auto other = load_config(dir.write("o.json", "{\"kiosk_id\":\"hall-9\",\"idle_seconds\":90,\"idle_seconds\":60,"
                                               "\"hall_name\":{\"zh\":\"大厅\",\"en\":\"Hall\"},"
                                               "\"district_title\":{\"zh\":\"区\",\"en\":\"District\"}}"));
  REQUIRE(other.errors.size() == 1);
  CHECK(other.errors[0].find("\"idle_seconds\" appears more than once") != std::string::npos);
  CHECK(other.kiosk_refused.empty());
  CHECK(other.config.kiosk_id == "hall-9");
  // A key that looks doubled inside a string value is not a key.
  auto str = load_config(dir.write("s.json", R"({"kiosk_id":"hall-9","hall_name":{"zh":"\"kiosk_id\",\"kiosk_id\""}})"));
  CHECK(str.errors.empty());
}

TEST_CASE("configuration: a kiosk_id with control characters or a slash refuses the kiosk like any untrusted one") {
  test::TempDir dir;
  for (std::string bad : {std::string("hall\\u001b[2J"), std::string("hall\\tx"), std::string("a/../../b"),
                          std::string("hall\\nfake")}) {
    CAPTURE(bad);
    auto l = load_config(dir.write("k.json", "{\"kiosk_id\":\"" + bad + "\"}"));
    CHECK_FALSE(l.kiosk_refused.empty());
    CHECK(l.config.kiosk_id != nlohmann::json::parse("\"" + bad + "\"").get<std::string>());
  }
  CHECK(load_config(dir.write("ok.json", R"({"kiosk_id":"大厅-1"})")).kiosk_refused.empty());
}

// Libraries opened at first use (issue 20: librime, espeak-ng): a missing library or
// symbol is a message naming the file and its package, asked again gives the same
// answer, and threads opening at once share one handle.
TEST_CASE("a library opened at first use: a missing one or a missing symbol is named, never a crash") {
  SharedLibrary none("libecokiosk-no-such-library.so.9", "ecokiosk-nothing");
  int (*fn)() = nullptr;
  CHECK_FALSE(none.bind(fn, "anything"));
  CHECK(!fn);
  CHECK_FALSE(none.open());
  CHECK_FALSE(none.loaded());
  CHECK(none.error().find("libecokiosk-no-such-library.so.9 cannot be loaded") != std::string::npos);
  CHECK(none.error().find("ecokiosk-nothing") != std::string::npos);

  SharedLibrary z("libz.so.1", "zlib1g");
  std::vector<std::thread> threads;
  std::atomic<int> opened{0};
  for (int i = 0; i < 8; ++i)
    threads.emplace_back([&] { opened += z.open() ? 1 : 0; });
  for (auto& t : threads) t.join();
  CHECK(opened == 8);
  const char* (*version)() = nullptr;
  REQUIRE(z.bind(version, "zlibVersion"));
  CHECK(std::string(version()).size() > 2);
  void (*nope)() = nullptr;
  CHECK_FALSE(z.bind(nope, "ecokiosk_no_such_function"));
  CHECK(z.error().find("ecokiosk_no_such_function") != std::string::npos);
  CHECK(z.loaded());  // a missing symbol leaves the library usable
  CHECK(z.bind(version, "zlibVersion"));
}
