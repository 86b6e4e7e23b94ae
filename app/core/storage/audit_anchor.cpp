#include "core/storage/audit_anchor.hpp"
#include "core/support/time.hpp"
#include "core/support/ids.hpp"
#include "core/support/read_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "core/support/safe_file.hpp"

namespace eco {

namespace fs = std::filesystem;
using json = nlohmann::json;

std::string anchor_path_for(const std::string& config_path, const std::string& db_path) {
  std::error_code ec;
  fs::path abs = fs::absolute(db_path, ec);
  fs::path canon = fs::weakly_canonical(ec ? fs::path(db_path) : abs, ec);
  std::string key = sha256_hex((ec ? abs : canon).string()).substr(0, 16);
  return (fs::path(config_path).parent_path() / "anchors" / (key + ".json")).string();
}

std::optional<Anchor> read_anchor(const std::string& path, std::string* error) {
  std::error_code ec;
  if (!fs::exists(path, ec)) return std::nullopt;
  std::string why;
  auto text = read_file(path, &why, 64 * 1024);
  if (!text) {
    if (error) *error = why;
    return std::nullopt;
  }
  json j = json::parse(*text, nullptr, false);
  if (!j.is_object() || !j.contains("count") || !j["count"].is_number_integer() || !j.contains("last_hash") ||
      !j["last_hash"].is_string()) {
    if (error) *error = path + " is not an audit anchor (damaged?)";
    return std::nullopt;
  }
  Anchor a;
  a.head.count = j["count"].get<std::int64_t>();
  a.head.last_hash = j["last_hash"].get<std::string>();
  a.pin_mark = j.value("pin_mark", "");
  a.setup_code_hash = j.value("setup_code_hash", "");
  a.setup_code_until = j.value("setup_code_until", TimeMs{0});
  a.database = j.value("database", "");
  a.rebuilt = j.value("rebuilt", "");
  return a;
}

std::string write_anchor(const std::string& path, const Anchor& a) {
  json j = {{"database", a.database}, {"count", a.head.count}, {"last_hash", a.head.last_hash},
            {"pin_mark", a.pin_mark}, {"setup_code_hash", a.setup_code_hash},
            {"setup_code_until", a.setup_code_until}};
  if (!a.rebuilt.empty()) j["rebuilt"] = a.rebuilt;
  std::string text = j.dump(2) + "\n";
  fs::path dir = fs::path(path).parent_path();
  // Every folder made on the way is 0700 whatever the umask: a world-writable config
  // folder would let any local user replace anchors/ or config.json.
  if (std::string e = make_private_dirs(dir.string()); !e.empty()) return e;
  ::chmod(dir.c_str(), 0700);  // anchors/ itself even when it already existed
  std::string tmp = path + ".tmp-" + new_uuid().substr(0, 8);
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return "cannot write " + tmp + ": " + std::strerror(errno);
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
  ok = ::close(fd) == 0 && ok;
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    std::string why = std::strerror(errno);
    ::unlink(tmp.c_str());
    return "cannot write " + path + ": " + why;
  }
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return "";
}

}  // namespace eco
