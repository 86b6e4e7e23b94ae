// The minizip entry points the executable takes over for libxlsxwriter (xlsx_zip.cpp):
// a workbook zipped on several threads must hold exactly what minizip alone writes,
// any other use of minizip must pass through untouched, and a failure while zipping
// must fail the workbook without hanging or leaving threads behind.
#include <dlfcn.h>
#include <doctest/doctest.h>
#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <map>
#include <random>
#include <string>
#include <thread>

#include "core/output/export.hpp"
#include "core/output/parallel_deflate.hpp"
#include "core/output/xlsx_zip.hpp"
#include "core/storage/demo_data.hpp"
#include "core/storage/store.hpp"
#include "core/support/i18n.hpp"
#include "helpers.hpp"
#include "zip_entries.hpp"

using namespace eco;

// minizip 1.1 (zip.h is not installed without libminizip-dev): these four are the
// executable's own (xlsx_zip.cpp), zipOpen is minizip's.
extern "C" {
int zipOpenNewFileInZip4_64(void* file, const char* filename, const void* zipfi, const void* extra_local,
                            unsigned extra_local_size, const void* extra_global, unsigned extra_global_size,
                            const char* comment, int method, int level, int raw, int window_bits, int mem_level,
                            int strategy, const char* password, unsigned long crc_for_crypting,
                            unsigned long version_made_by, unsigned long flag_base, int zip64);
int zipWriteInFileInZip(void* file, const void* buf, unsigned len);
int zipCloseFileInZip(void* file);
int zipClose(void* file, const char* global_comment);
}

namespace {

using ZipOpen = void*(const char*, int);
ZipOpen* zip_open() {
  static ZipOpen* f = reinterpret_cast<ZipOpen*>(dlsym(RTLD_DEFAULT, "zipOpen"));
  REQUIRE(reinterpret_cast<void*>(f) != nullptr);
  return f;
}

// As libxlsxwriter opens its parts: deflated at the default level, window bits -15.
int open_part(void* zip, const char* name, int method = 8, int raw = 0) {
  return zipOpenNewFileInZip4_64(zip, name, nullptr, nullptr, 0, nullptr, 0, nullptr, method, -1, raw, -15, 8, 0,
                                 nullptr, 0, 0, 0, 0);
}

int write_in_pieces(void* zip, const std::string& data, std::size_t piece) {
  for (std::size_t i = 0; i < data.size(); i += piece)
    if (int r = zipWriteInFileInZip(zip, data.data() + i, static_cast<unsigned>(std::min(piece, data.size() - i))))
      return r;
  return 0;
}

std::string sample(std::size_t bytes, unsigned seed, bool random) {
  std::mt19937 rng(seed);
  std::string s;
  while (s.size() < bytes)
    s += random ? std::string(1, static_cast<char>(rng())) : "<c r=\"B" + std::to_string(rng() % 100000) + "\"><v>1</v></c>";
  s.resize(bytes);
  return s;
}

struct Threads {  // the deflate's thread count for one test, then the default again
  unsigned saved = xlsx_zip_threads();
  explicit Threads(unsigned n) { set_xlsx_zip_threads(n); }
  ~Threads() { set_xlsx_zip_threads(saved); }
};


}  // namespace

TEST_CASE("a workbook zipped on several threads holds exactly what minizip alone writes") {
  test::TempDir dir;
  Store store(dir.file("x.db"));
  test::fill_demo(store, 2500);
  Strings strings;
  std::vector<std::string> errors;
  strings.load_dir(test::source_dir() + "/assets/i18n", errors);
  auto exported = [&](unsigned threads, const std::string& name) {
    Threads t(threads);
    ExportOptions o;
    o.format = "xlsx";
    o.out = dir.file(name);
    o.strings = &strings;
    o.include_flagged = true;
    ExportResult r = export_data(store, test::shipped(), o);
    REQUIRE(r.error.empty());
    test::run_output("unzip -tq " + test::shell_quoted(o.out));  // throws on a bad CRC or stream
    return test::workbook_parts(o.out);
  };
  auto plain = exported(0, "plain.xlsx");
  std::size_t largest = 0;
  for (const auto& [name, bytes] : plain) largest = std::max(largest, bytes.size());
  REQUIRE(largest > 3 * ParallelDeflate::kBlock);  // a sheet of several blocks: the threads did deflate it
  // Under ASan (CI's sanitizer run) one and five threads: two is the normal build's.
  const std::vector<unsigned> counts = test::sanitized() ? std::vector<unsigned>{1, 5} : std::vector<unsigned>{1, 2, 5};
  for (unsigned threads : counts) {
    CAPTURE(threads);
    auto threaded = exported(threads, "threaded" + std::to_string(threads) + ".xlsx");
    REQUIRE(threaded.size() == plain.size());
    for (const auto& [name, bytes] : plain) {
      CAPTURE(name);
      CHECK(threaded[name] == bytes);
    }
  }
}

TEST_CASE("minizip's other uses pass through, and a part still open when the zip closes is closed whole") {
  test::TempDir dir;
  const std::string path = dir.file("parts.zip");
  const std::string big = sample(3'000'000, 1, false), noise = sample(700'000, 2, true), small = "<a>tiny</a>";
  void* zip = zip_open()(path.c_str(), 0);
  REQUIRE(zip);
  REQUIRE(open_part(zip, "big.xml") == 0);
  REQUIRE(write_in_pieces(zip, big, 4096) == 0);
  REQUIRE(zipCloseFileInZip(zip) == 0);
  REQUIRE(open_part(zip, "stored.bin", 0) == 0);  // stored, not deflated: minizip's own
  REQUIRE(write_in_pieces(zip, noise, 100'000) == 0);
  REQUIRE(zipCloseFileInZip(zip) == 0);
  REQUIRE(open_part(zip, "empty.xml") == 0);
  REQUIRE(zipCloseFileInZip(zip) == 0);
  // A part opened while another is open closes that one first, as minizip does.
  REQUIRE(open_part(zip, "small.xml") == 0);
  REQUIRE(write_in_pieces(zip, small, 3) == 0);
  REQUIRE(open_part(zip, "open-at-close.xml") == 0);
  REQUIRE(write_in_pieces(zip, big, 65'536) == 0);
  REQUIRE(zipClose(zip, nullptr) == 0);  // and the zip closed with a part open closes it first
  test::run_output("unzip -tq " + test::shell_quoted(path));
  auto entries = test::zip_entries(path);
  CHECK(entries["big.xml"] == big);
  CHECK(entries["stored.bin"] == noise);
  CHECK(entries["empty.xml"].empty());
  CHECK(entries["small.xml"] == small);
  CHECK(entries["open-at-close.xml"] == big);
  std::string listing = test::run_output("unzip -Zv " + test::shell_quoted(path));
  CHECK(listing.find("compression method:                             none (stored)") != std::string::npos);
}

TEST_CASE("two zips written at once on two threads stay apart") {
  test::TempDir dir;
  const std::string a = sample(2'000'000, 5, false), b = sample(1'200'000, 6, true);
  auto write_zip = [](const std::string& path, const std::string& data, int& rc) {
    void* zip = zip_open()(path.c_str(), 0);
    rc = zip ? 0 : -1;
    for (int part = 0; part < 3 && rc == 0; ++part) {
      std::string name = "part" + std::to_string(part);
      rc = open_part(zip, name.c_str());
      if (rc == 0) rc = write_in_pieces(zip, data, 16'384 + static_cast<std::size_t>(part));
      if (rc == 0) rc = zipCloseFileInZip(zip);
    }
    if (zip && zipClose(zip, nullptr) != 0) rc = -2;
  };
  int ra = 1, rb = 1;
  std::thread t([&] { write_zip(dir.file("a.zip"), a, ra); });
  write_zip(dir.file("b.zip"), b, rb);
  t.join();
  REQUIRE(ra == 0);
  REQUIRE(rb == 0);
  auto ea = test::zip_entries(dir.file("a.zip")), eb = test::zip_entries(dir.file("b.zip"));
  for (const char* p : {"part0", "part1", "part2"}) {
    CHECK(ea[p] == a);
    CHECK(eb[p] == b);
  }
}

#if !defined(__SANITIZE_ADDRESS__)  // rlimits
TEST_CASE("a full disk while zipping fails the part and the zip, and leaves no thread behind") {
  test::TempDir dir;
  const std::size_t before = test::entries_in("/proc/self/task");
  const std::string data = sample(3'000'000, 9, true);  // incompressible: the zip grows as fast as it is fed
  for (rlim_t limit : {rlim_t{1}, rlim_t{100'000}, rlim_t{1'500'000}, rlim_t{2'999'000}}) {
    CAPTURE(limit);
    const std::string path = dir.file("full" + std::to_string(limit) + ".zip");
    int wrote = 0, closed = 0, zip_closed = 0;
    {
      test::FullDisk full(limit);
      void* zip = zip_open()(path.c_str(), 0);
      REQUIRE(zip);
      REQUIRE(open_part(zip, "part.bin") == 0);
      wrote = write_in_pieces(zip, data, 65'536);
      closed = zipCloseFileInZip(zip);
      zip_closed = zipClose(zip, nullptr);
    }
    CHECK((wrote != 0 || closed != 0 || zip_closed != 0));
    CHECK(test::entries_in("/proc/self/task") == before);
  }
}
#endif

#if !defined(__SANITIZE_ADDRESS__)  // rlimits
TEST_CASE("a full disk during an xlsx export fails it, leaves no file open and never a cut workbook that claims success") {
  // libxlsxwriter writes the rows to temporary files without checking a write: a disk
  // that filled while they were written gave a workbook whose sheets stopped short, and
  // the export said it succeeded.
  test::TempDir dir;
  Store store(dir.file("x.db"));
  test::fill_demo(store, 3000);
  ExportOptions o;
  o.format = "xlsx";
  o.out = dir.file("out/w.xlsx");
  o.include_flagged = true;
  o.replace = true;
  REQUIRE(export_data(store, test::shipped(), o).error.empty());
  auto whole = test::workbook_parts(o.out);
  std::size_t largest = 0;
  for (const auto& [name, bytes] : whole) largest = std::max(largest, bytes.size());
  const auto zipped = static_cast<rlim_t>(std::filesystem::file_size(o.out));
  std::filesystem::remove(o.out);
  const std::size_t threads = test::entries_in("/proc/self/task"), fds = test::entries_in("/proc/self/fd");
  // Below the zip's size the zip fails; between it and the largest sheet's XML the rows'
  // temporary file does: at its start, middle, last buffer and last bytes.
  for (rlim_t limit : {rlim_t{1}, rlim_t{5000}, zipped / 2, zipped + 1000, rlim_t{largest / 2}, rlim_t{largest - 70'000},
                       rlim_t{largest - 2000}}) {
    CAPTURE(limit);
    ExportResult r;
    {
      test::FullDisk full(limit);
      r = export_data(store, test::shipped(), o);
    }
    CHECK(test::entries_in("/proc/self/task") == threads);
    // Nor a file left open: libxlsxwriter left the rows' files of the sheets it did not
    // reach (deleted, holding their rows on the full disk).
    CHECK(test::entries_in("/proc/self/fd") == fds);
    if (r.error.empty()) {
      auto got = test::workbook_parts(o.out);
      CHECK(got == whole);
      std::filesystem::remove(o.out);
    } else {
      CHECK(r.files.empty());
      CHECK_FALSE(std::filesystem::exists(o.out));
    }
  }
  ExportResult again = export_data(store, test::shipped(), o);
  REQUIRE(again.error.empty());
  auto got = test::workbook_parts(o.out);
  CHECK(got == whole);
}
#endif

#if !defined(__SANITIZE_ADDRESS__)  // rlimits
TEST_CASE("a part whose write failed stops its threads at once, whatever the caller calls after it") {
  // A caller may stop at a failed zipWriteInFileInZip and close nothing (libxlsxwriter's
  // packager did before 1.1): threads that waited for that close waited for ever.
  test::TempDir dir;
  Threads many(4);
  const std::size_t before = test::entries_in("/proc/self/task");
  const std::string data = sample(3'000'000, 11, true);
  // Below the blocks held in flight (two a thread): the failure meets a write, not the close.
  for (rlim_t limit : {rlim_t{1}, rlim_t{100'000}, rlim_t{500'000}}) {
    CAPTURE(limit);
    void* zip = zip_open()(dir.file("cut" + std::to_string(limit) + ".zip").c_str(), 0);
    REQUIRE(zip);
    REQUIRE(open_part(zip, "part.bin") == 0);
    int wrote = 0;
    {
      test::FullDisk full(limit);
      wrote = write_in_pieces(zip, data, 65'536);
    }
    CHECK(wrote != 0);
    CHECK(test::entries_in("/proc/self/task") == before);  // and libxlsxwriter calls nothing more
    CHECK(zipClose(zip, nullptr) != 0);  // the test's own handle, closed not to leak it: the part failed
    CHECK(test::entries_in("/proc/self/task") == before);
  }
}
#endif

TEST_CASE("two xlsx exports at once write what each writes alone, and a cancel at any moment leaves nothing") {
  // The zip's part list, the deflate threads and the tmpfile check are shared by every
  // export of the process; the console can export while the district console does.
  test::TempDir dir;
  Store a(dir.file("a.db")), b(dir.file("b.db"));
  test::fill_demo(a, 3000);
  test::fill_demo(b, 1500, 99);
  auto opts = [&](const std::string& name) {
    ExportOptions o;
    o.format = "xlsx";
    o.out = dir.file(name);
    o.replace = true;
    return o;
  };
  auto entries = [](const std::string& path) { return test::workbook_parts(path); };
  REQUIRE(export_data(a, test::shipped(), opts("a1.xlsx")).error.empty());
  REQUIRE(export_data(b, test::shipped(), opts("b1.xlsx")).error.empty());
  const auto alone_a = entries(dir.file("a1.xlsx")), alone_b = entries(dir.file("b1.xlsx"));
  const std::size_t threads = test::entries_in("/proc/self/task"), fds = test::entries_in("/proc/self/fd");
  // Under ASan (CI's sanitizer run) one round and three cancel moments, not two and six.
  const bool sanitized = test::sanitized();
  for (int round = 0; round < (sanitized ? 1 : 2); ++round) {
    std::string ea, eb;
    std::thread t([&] { ea = export_data(a, test::shipped(), opts("a2.xlsx")).error; });
    eb = export_data(b, test::shipped(), opts("b2.xlsx")).error;
    t.join();
    REQUIRE(ea.empty());
    REQUIRE(eb.empty());
    CHECK(entries(dir.file("a2.xlsx")) == alone_a);
    CHECK(entries(dir.file("b2.xlsx")) == alone_b);
  }
  // From before the first row to the zipping (this export takes some 0.3 s here).
  const std::vector<int> delays = sanitized ? std::vector<int>{0, 60, 250} : std::vector<int>{0, 10, 60, 150, 250, 400};
  for (int delay_ms : delays) {
    CAPTURE(delay_ms);
    std::atomic<bool> cancel{false};
    ExportOptions o = opts("c.xlsx");
    o.cancel = &cancel;
    std::thread stopper([&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
      cancel = true;
    });
    ExportResult r = export_data(a, test::shipped(), o);
    stopper.join();
    if (r.error.empty()) CHECK(entries(o.out) == alone_a);
    else CHECK_FALSE(std::filesystem::exists(o.out));
    std::filesystem::remove(o.out);
    for (const auto& e : std::filesystem::directory_iterator(dir.path))
      CHECK(e.path().filename().string().find(".part") == std::string::npos);
    CHECK(test::entries_in("/proc/self/task") == threads);
    CHECK(test::entries_in("/proc/self/fd") == fds);
  }
  REQUIRE(export_data(a, test::shipped(), opts("a3.xlsx")).error.empty());
  CHECK(entries(dir.file("a3.xlsx")) == alone_a);
}
