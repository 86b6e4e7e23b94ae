// libxlsxwriter 1.1.4 zips each part of a workbook through minizip, at zlib's default
// level (6) and on one thread, and offers no setting for either; `perf` put 40% of a
// 100,000-response export's CPU in that deflate, and after the rows, the deflate of the
// sheets' 150 MB of XML was most of the second a single core spent zipping (issue 20).
//
// The executable defines minizip's entry points that libxlsxwriter calls, so the dynamic
// linker binds libxlsxwriter's calls here first (the executable comes first in the
// lookup order). Each is passed on to minizip's own, found with RTLD_NEXT:
// - opening a part: at kXlsxZipLevel instead of the default, and "raw", so minizip
//   stores what it is given and the deflate is ours;
// - writing: into a ParallelDeflate, whose output goes to minizip in order;
// - closing: the stream is finished and minizip told the size and CRC it did not see.
// Nothing else in the process uses minizip.
#include "core/output/xlsx_zip.hpp"

#include <dlfcn.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstring>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "core/output/parallel_deflate.hpp"

namespace {

// minizip 1.1's functions (zip.h: zipFile is a void*, uInt unsigned int, uLong unsigned
// long, ZPOS64_T a 64-bit unsigned); the header is not installed without libminizip-dev.
using ZipOpen = int(void*, const char*, const void*, const void*, unsigned, const void*, unsigned, const char*,
                    int, int, int, int, int, int, const char*, unsigned long, unsigned long, unsigned long, int);
using ZipWrite = int(void*, const void*, unsigned);
using ZipCloseEntry = int(void*);
using ZipCloseEntryRaw = int(void*, std::uint64_t, unsigned long);
using ZipClose = int(void*, const char*);

struct Minizip {
  ZipOpen* open = nullptr;
  ZipWrite* write = nullptr;
  ZipCloseEntry* close_entry = nullptr;
  ZipCloseEntryRaw* close_entry_raw = nullptr;
  ZipClose* close = nullptr;
  bool complete() const { return open && write && close_entry && close_entry_raw && close; }
};

template <class F>
F* next_definition(const char* name) {
  return reinterpret_cast<F*>(dlsym(RTLD_NEXT, name));
}

const Minizip& minizip() {
  static const Minizip m{next_definition<ZipOpen>("zipOpenNewFileInZip4_64"),
                         next_definition<ZipWrite>("zipWriteInFileInZip"),
                         next_definition<ZipCloseEntry>("zipCloseFileInZip"),
                         next_definition<ZipCloseEntryRaw>("zipCloseFileInZipRaw64"),
                         next_definition<ZipClose>("zipClose")};
  return m;
}

constexpr int kZDeflated = 8;             // zlib's Z_DEFLATED
constexpr int kZDefaultCompression = -1;  // zlib's Z_DEFAULT_COMPRESSION
constexpr int kZipOk = 0;                 // minizip's ZIP_OK
constexpr int kZipInternalError = -104;   // minizip's ZIP_INTERNALERROR

unsigned default_threads() {
  return std::clamp(std::thread::hardware_concurrency(), 1u, 8u);
}
std::atomic<unsigned> g_threads{default_threads()};

// A part being written whose deflate is ours.
struct Part {
  void* zip = nullptr;
  std::unique_ptr<eco::ParallelDeflate> deflate;
  int write_error = 0;  // minizip's, when it could not store the compressed bytes
  bool broken = false;  // out of memory on the way
};

// The parts open now, one at most per zip file (two exports may run at once).
std::mutex g_mu;
std::vector<std::unique_ptr<Part>> g_parts;

Part* find_part(void* zip) {
  std::lock_guard lk(g_mu);
  for (auto& p : g_parts)
    if (p->zip == zip) return p.get();
  return nullptr;
}

std::unique_ptr<Part> take_part(void* zip) {
  std::lock_guard lk(g_mu);
  for (auto it = g_parts.begin(); it != g_parts.end(); ++it)
    if ((*it)->zip == zip) {
      std::unique_ptr<Part> p = std::move(*it);
      g_parts.erase(it);
      return p;
    }
  return nullptr;
}

int part_error(const Part& p) { return p.write_error ? p.write_error : kZipInternalError; }

// libxlsxwriter writes each part into a temporary file (lxw_tmpfile) and zips it without
// checking one write: a disk that filled there gave a part cut short in a workbook that
// said it succeeded. The file it made last on a thread is the part it zips next (it
// makes, fills and zips one at a time), so that file is checked as the part is opened.
thread_local std::FILE* t_last_tmpfile = nullptr;
constexpr int kZipErrno = -1;  // minizip's ZIP_ERRNO: errno tells why

// After a failure libxlsxwriter does not close the rows' files of the sheets it did not
// reach: write_xlsx closes them, knowing from this which those are.
thread_local unsigned t_sheets_zipped = 0;  // xl/worksheets/sheetN.xml parts begun on this thread

}  // namespace

extern "C" std::FILE* lxw_tmpfile(char* tmpdir) {
  using Make = std::FILE*(char*);
  static Make* const real = next_definition<Make>("lxw_tmpfile");
  t_last_tmpfile = real ? real(tmpdir) : nullptr;
  return t_last_tmpfile;
}

extern "C" int zipCloseFileInZip(void* file);

extern "C" int zipOpenNewFileInZip4_64(void* file, const char* filename, const void* zipfi, const void* extra_local,
                                       unsigned extra_local_size, const void* extra_global, unsigned extra_global_size,
                                       const char* comment, int method, int level, int raw, int window_bits,
                                       int mem_level, int strategy, const char* password, unsigned long crc_for_crypting,
                                       unsigned long version_made_by, unsigned long flag_base, int zip64) {
  const Minizip& m = minizip();
  if (!m.complete()) return kZipInternalError;
  // Counted before anything can fail: libxlsxwriter closed the sheet's rows file already.
  if (filename && std::strncmp(filename, "xl/worksheets/sheet", 19) == 0) ++t_sheets_zipped;
  if (std::FILE* f = t_last_tmpfile) {
    t_last_tmpfile = nullptr;
    if (std::fflush(f) != 0 || std::ferror(f)) return kZipErrno;
  }
  // minizip closes a part still open before it opens the next; ours must be finished by us.
  if (find_part(file))
    if (int r = zipCloseFileInZip(file); r != kZipOk) return r;
  if (method == kZDeflated && level == kZDefaultCompression) level = eco::kXlsxZipLevel;
  const unsigned threads = g_threads.load();
  // Ours: a deflated part libxlsxwriter hands over uncompressed (window bits -15, the
  // default memory level and strategy, as ParallelDeflate uses), never encrypted.
  const bool ours = threads > 0 && method == kZDeflated && !raw && !password;
  int r = m.open(file, filename, zipfi, extra_local, extra_local_size, extra_global, extra_global_size, comment,
                 method, level, ours ? 1 : raw, window_bits, mem_level, strategy, password, crc_for_crypting,
                 version_made_by, flag_base, zip64);
  if (r != kZipOk || !ours) return r;
  try {
    auto part = std::make_unique<Part>();
    Part* p = part.get();
    p->zip = file;
    p->deflate = std::make_unique<eco::ParallelDeflate>(level, threads, [p, &m](const unsigned char* d, std::size_t n) {
      while (n > 0) {
        const auto chunk = static_cast<unsigned>(std::min<std::size_t>(n, 1u << 30));
        if (int w = m.write(p->zip, d, chunk); w != kZipOk) {
          p->write_error = w;
          return false;
        }
        d += chunk;
        n -= chunk;
      }
      return true;
    });
    std::lock_guard lk(g_mu);
    g_parts.push_back(std::move(part));
  } catch (...) {
    m.close_entry_raw(file, 0, 0);
    return kZipInternalError;
  }
  return kZipOk;
}

extern "C" int zipWriteInFileInZip(void* file, const void* buf, unsigned len) {
  const Minizip& m = minizip();
  Part* p = find_part(file);
  if (!p) return m.write ? m.write(file, buf, len) : kZipInternalError;
  if (p->broken) return part_error(*p);
  try {
    if (p->deflate->write(buf, len)) return kZipOk;
  } catch (...) {
  }
  // libxlsxwriter closes neither the part nor the zip after a failed write (it returns
  // at once): the deflate's threads stop now, not at a close that never comes.
  p->broken = true;
  p->deflate.reset();
  return part_error(*p);
}

extern "C" int zipCloseFileInZip(void* file) {
  const Minizip& m = minizip();
  std::unique_ptr<Part> p = take_part(file);
  if (!p) return m.close_entry ? m.close_entry(file) : kZipInternalError;
  bool ok = !p->broken && p->deflate;
  try {
    ok = ok && p->deflate->finish();
  } catch (...) {
    ok = false;
  }
  // Closed either way, so minizip's state is whole again; a failed part fails the workbook.
  int r = ok ? m.close_entry_raw(file, p->deflate->bytes_in(), p->deflate->crc32()) : m.close_entry_raw(file, 0, 0);
  return ok ? r : part_error(*p);
}

extern "C" int zipClose(void* file, const char* global_comment) {
  const Minizip& m = minizip();
  if (!m.close) return kZipInternalError;
  // As minizip's own would: the open part first, and a part that failed fails the zip.
  const int part = find_part(file) ? zipCloseFileInZip(file) : kZipOk;
  const int r = m.close(file, global_comment);
  return part != kZipOk ? part : r;
}

namespace eco {

void xlsx_zip_forget_tmpfile() { t_last_tmpfile = nullptr; }

void xlsx_zip_begin() { t_sheets_zipped = 0; }
unsigned xlsx_zip_sheets_begun() { return t_sheets_zipped; }

void set_xlsx_zip_threads(unsigned n) { g_threads.store(std::min(n, 64u)); }
unsigned xlsx_zip_threads() { return g_threads.load(); }

std::string xlsx_zip_problem() {
  if (minizip().complete()) return {};
  const char* e = dlerror();
  return std::string("cannot find minizip's zip functions (libminizip1): ") + (e ? e : "not loaded");
}

}  // namespace eco
