// libxlsxwriter 1.1.4 zips each part of a workbook through minizip at zlib's default
// level (6) and offers no setting for it; `perf` put 40% of a 100,000-response export's
// CPU in that deflate. The executable defines minizip's entry point itself, so the
// dynamic linker binds libxlsxwriter's call here first (the executable comes first in
// the lookup order); this passes it on to minizip's own, found with RTLD_NEXT, with
// kXlsxZipLevel instead of the default. Nothing else in the process uses minizip.
#include "core/output/xlsx_zip_level.hpp"

#include <dlfcn.h>

namespace {

// minizip 1.1's zipOpenNewFileInZip4_64 (zip.h: zipFile is a void*, uInt unsigned int,
// uLong unsigned long); the header is not installed without libminizip-dev.
using ZipOpen = int(void*, const char*, const void*, const void*, unsigned, const void*, unsigned, const char*,
                    int, int, int, int, int, int, const char*, unsigned long, unsigned long, unsigned long, int);

ZipOpen* minizip_open() {
  static ZipOpen* const real = reinterpret_cast<ZipOpen*>(dlsym(RTLD_NEXT, "zipOpenNewFileInZip4_64"));
  return real;
}

constexpr int kZDeflated = 8;            // zlib's Z_DEFLATED
constexpr int kZDefaultCompression = -1;  // zlib's Z_DEFAULT_COMPRESSION
constexpr int kZipInternalError = -104;   // minizip's ZIP_INTERNALERROR

}  // namespace

extern "C" int zipOpenNewFileInZip4_64(void* file, const char* filename, const void* zipfi, const void* extra_local,
                                       unsigned extra_local_size, const void* extra_global, unsigned extra_global_size,
                                       const char* comment, int method, int level, int raw, int window_bits,
                                       int mem_level, int strategy, const char* password, unsigned long crc_for_crypting,
                                       unsigned long version_made_by, unsigned long flag_base, int zip64) {
  ZipOpen* real = minizip_open();
  if (!real) return kZipInternalError;
  if (method == kZDeflated && level == kZDefaultCompression) level = eco::kXlsxZipLevel;
  return real(file, filename, zipfi, extra_local, extra_local_size, extra_global, extra_global_size, comment, method,
              level, raw, window_bits, mem_level, strategy, password, crc_for_crypting, version_made_by, flag_base,
              zip64);
}

namespace eco {

std::string xlsx_zip_level_problem() {
  if (minizip_open()) return {};
  const char* e = dlerror();
  return std::string("cannot find minizip's zipOpenNewFileInZip4_64 (libminizip1): ") + (e ? e : "not loaded");
}

}  // namespace eco
