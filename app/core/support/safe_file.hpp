// Writing a file so that a power cut, a killed process, a full disk or a planted link
// never leaves a half file under the final name nor writes through someone else's link.
// Every file the program writes (exports, backups, restores, config) goes through here.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace eco {

// Creates the folders missing on the way to dir, each 0700 (whatever the umask).
// Existing folders are left as they are. "" on success, else why not.
std::string make_private_dirs(const std::string& dir);

// fsync of a folder, so a rename or create in it survives power loss.
bool sync_dir(const std::string& dir);

// A file written as "FINAL.part-XXXXXX" beside its final name and renamed over it only
// when complete. The temporary is created with O_CREAT|O_EXCL|O_NOFOLLOW and mode
// 0600 (a file system without Unix modes, such as a vfat USB stick, applies its own),
// so a link or file planted under any name is never opened. It stays flock()ed while
// open, so clean_stale_parts() can tell a writer still at work from one that was
// killed. commit() writes what is buffered, fsyncs the file, renames it, and fsyncs
// the folder. Destroyed uncommitted, the temporary is removed.
class SafeFile {
 public:
  SafeFile() = default;
  explicit SafeFile(std::string final_path);
  ~SafeFile();
  SafeFile(const SafeFile&) = delete;
  SafeFile& operator=(const SafeFile&) = delete;
  SafeFile(SafeFile&& o) noexcept;
  SafeFile& operator=(SafeFile&& o) noexcept;

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  const std::string& final_path() const { return final_; }
  const std::string& temp_path() const { return temp_; }

  // Buffered; false (and error() says why) once a write has failed.
  bool write(std::string_view bytes);
  SafeFile& operator<<(std::string_view bytes) {
    write(bytes);
    return *this;
  }

  // Flushes and fsyncs the temporary without moving it (for files committed as a set,
  // and for files another library writes by path). "" on success.
  std::string finish();
  // finish(), then the rename into place; replace = false refuses an existing final
  // file (atomically where the file system can). "" on success.
  std::string commit(bool replace = true);
  // Removes the temporary now.
  void discard();

 private:
  bool flush();
  std::string final_, temp_;
  int fd_ = -1;
  std::string buf_;
  std::string error_;
  bool finished_ = false, committed_ = false;
};

// Files that appear together or not at all (a CSV export of several questionnaires with
// their codebooks): each is finished, then all are renamed; when one rename fails the
// ones already in place are removed again. "" on success.
std::string commit_all(std::vector<SafeFile*> files, bool replace);

// Removes temporaries ("PREFIX*.part-XXXXXX" and their SQLite -journal, -wal, -shm)
// that no live writer holds: left by a process killed mid-write. Nothing else in dir
// is touched. Returns how many were removed.
int clean_stale_parts(const std::string& dir, const std::string& prefix);

// Takes group and other permissions off a regular file this user owns (a database made
// 0644 by an older version); anything else is left. True when it changed something.
bool make_private(const std::string& path);

// A whole small file in one go. "" on success.
std::string write_file_safely(const std::string& path, std::string_view bytes, bool replace = true);

// "FILE exists (use --force to replace it)" when path exists, else "".
std::string refuse_existing(const std::string& path);

}  // namespace eco
