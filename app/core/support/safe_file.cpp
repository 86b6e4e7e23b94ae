#include "core/support/safe_file.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>

namespace eco {

namespace fs = std::filesystem;

namespace {
std::string errno_text(int e) { return std::strerror(e); }

std::string folder_of(const std::string& path) {
  fs::path p = fs::path(path).parent_path();
  return p.empty() ? std::string(".") : p.string();
}

std::string random_suffix() {
  static const char chars[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  thread_local std::mt19937_64 rng{std::random_device{}()};
  std::string s(6, 'x');
  for (char& c : s) c = chars[rng() % (sizeof chars - 1)];
  return s;
}

// rename without replacing an existing file: renameat2(RENAME_NOREPLACE) where the file
// system has it, else link+unlink (atomic too), else check-then-rename (vfat).
int rename_noreplace(const char* from, const char* to) {
#ifdef RENAME_NOREPLACE
  if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0) return 0;
  if (errno != EINVAL && errno != ENOSYS && errno != ENOTSUP) return -1;
#endif
  if (link(from, to) == 0) {
    unlink(from);
    return 0;
  }
  if (errno == EEXIST) return -1;
  struct stat st;
  if (lstat(to, &st) == 0) {
    errno = EEXIST;
    return -1;
  }
  return std::rename(from, to);
}
}  // namespace

std::string make_private_dirs(const std::string& dir) {
  if (dir.empty()) return "";
  fs::path p = fs::path(dir);
  fs::path cur;
  for (const auto& part : p) {
    cur /= part;
    struct stat st;
    if (stat(cur.c_str(), &st) == 0) {
      if (!S_ISDIR(st.st_mode)) return cur.string() + " is not a folder";
      continue;
    }
    if (mkdir(cur.c_str(), 0700) != 0 && errno != EEXIST) return "cannot create " + cur.string() + ": " + errno_text(errno);
    chmod(cur.c_str(), 0700);  // a umask such as 0277 would have taken the owner's bits
  }
  return "";
}

bool sync_dir(const std::string& dir) {
  int fd = open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return false;
  bool ok = fsync(fd) == 0 || errno == EINVAL;  // some file systems cannot sync a folder
  close(fd);
  return ok;
}

SafeFile::SafeFile(std::string final_path) : final_(std::move(final_path)) {
  for (int attempt = 0; attempt < 20; ++attempt) {
    temp_ = final_ + ".part-" + random_suffix();
    fd_ = open(temp_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd_ >= 0 || errno != EEXIST) break;
  }
  if (fd_ < 0) {
    error_ = "cannot create " + temp_ + ": " + errno_text(errno);
    temp_.clear();
    return;
  }
  flock(fd_, LOCK_EX | LOCK_NB);  // "still being written" for clean_stale_parts
}

SafeFile::SafeFile(SafeFile&& o) noexcept { *this = std::move(o); }

SafeFile& SafeFile::operator=(SafeFile&& o) noexcept {
  if (this != &o) {
    discard();
    final_ = std::move(o.final_);
    temp_ = std::move(o.temp_);
    fd_ = o.fd_;
    buf_ = std::move(o.buf_);
    error_ = std::move(o.error_);
    finished_ = o.finished_;
    committed_ = o.committed_;
    o.fd_ = -1;
    o.temp_.clear();
    o.committed_ = true;
  }
  return *this;
}

SafeFile::~SafeFile() { discard(); }

void SafeFile::discard() {
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
  if (!committed_ && !temp_.empty()) unlink(temp_.c_str());
  temp_.clear();
}

bool SafeFile::flush() {
  std::size_t done = 0;
  while (done < buf_.size()) {
    ssize_t n = ::write(fd_, buf_.data() + done, buf_.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      error_ = "writing " + temp_ + " failed: " + errno_text(errno);
      buf_.clear();
      return false;
    }
    done += static_cast<std::size_t>(n);
  }
  buf_.clear();
  return true;
}

bool SafeFile::write(std::string_view bytes) {
  if (!ok() || fd_ < 0) return false;
  buf_.append(bytes);
  return buf_.size() < (1 << 16) || flush();
}

std::string SafeFile::finish() {
  if (!ok()) return error_;
  if (finished_) return "";
  if (fd_ < 0) return error_ = "no file open";
  if (!flush()) return error_;
  if (fsync(fd_) != 0 && errno != EINVAL) return error_ = "cannot flush " + temp_ + " to disk: " + errno_text(errno);
  finished_ = true;
  return "";
}

std::string SafeFile::commit(bool replace) {
  if (std::string e = finish(); !e.empty()) return e;
  int rc = replace ? std::rename(temp_.c_str(), final_.c_str()) : rename_noreplace(temp_.c_str(), final_.c_str());
  if (rc != 0) {
    int e = errno;
    return error_ = e == EEXIST ? refuse_existing(final_) : "cannot move " + temp_ + " to " + final_ + ": " + errno_text(e);
  }
  committed_ = true;
  close(fd_);
  fd_ = -1;
  temp_.clear();
  sync_dir(folder_of(final_));
  return "";
}

std::string commit_all(std::vector<SafeFile*> files, bool replace) {
  for (SafeFile* f : files)
    if (std::string e = f->finish(); !e.empty()) return e;
  if (!replace)
    for (SafeFile* f : files)
      if (std::string e = refuse_existing(f->final_path()); !e.empty()) return e;
  std::vector<std::string> placed;
  for (SafeFile* f : files) {
    std::string final = f->final_path();
    if (std::string e = f->commit(replace); !e.empty()) {
      for (const auto& p : placed) unlink(p.c_str());  // all or none
      if (!placed.empty()) sync_dir(folder_of(placed.front()));
      return e;
    }
    placed.push_back(final);
  }
  return "";
}

int clean_stale_parts(const std::string& dir, const std::string& prefix) {
  // Only names SafeFile makes: PREFIX…".part-" + 6 of [a-z0-9], or that plus "-journal",
  // "-wal" or "-shm". Anything else in the folder (it may be a home folder) is left.
  auto temp_name = [&](const std::string& name) {
    if (name.rfind(prefix, 0) != 0) return false;
    auto at = name.rfind(".part-");
    if (at == std::string::npos || name.size() != at + 12) return false;
    for (std::size_t i = at + 6; i < name.size(); ++i)
      if (!((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= '0' && name[i] <= '9'))) return false;
    return true;
  };
  std::error_code ec;
  int removed = 0;
  std::vector<fs::path> journals;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    std::string name = e.path().filename().string();
    bool side = false;
    for (const char* ext : {"-journal", "-wal", "-shm"}) {
      std::string x(ext);
      if (name.size() > x.size() && name.compare(name.size() - x.size(), x.size(), x) == 0 &&
          temp_name(name.substr(0, name.size() - x.size())))
        side = true;
    }
    if (side) {
      journals.push_back(e.path());
      continue;
    }
    if (!temp_name(name)) continue;
    int fd = open(e.path().c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) continue;  // a link or something else we did not make: left alone
    struct stat st;
    bool stale = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && flock(fd, LOCK_EX | LOCK_NB) == 0;
    if (stale && unlink(e.path().c_str()) == 0) ++removed;
    close(fd);
  }
  for (const auto& j : journals) {
    std::string name = j.string();
    std::string main = name.substr(0, name.rfind(".part-") + 12);
    struct stat st;
    if (lstat(main.c_str(), &st) != 0 && unlink(name.c_str()) == 0) ++removed;
  }
  if (removed) sync_dir(dir);
  return removed;
}

bool make_private(const std::string& path) {
  struct stat st;
  if (lstat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() || !(st.st_mode & 077))
    return false;
  return chmod(path.c_str(), st.st_mode & 0700) == 0;
}

std::string write_file_safely(const std::string& path, std::string_view bytes, bool replace) {
  SafeFile f(path);
  if (!f.ok()) return f.error();
  f.write(bytes);
  return f.commit(replace);
}

std::string refuse_existing(const std::string& path) {
  struct stat st;
  if (lstat(path.c_str(), &st) != 0) return "";
  return path + " already exists; not replaced (use --force to replace it)";
}

}  // namespace eco
