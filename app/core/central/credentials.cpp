#include "core/central/credentials.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "core/support/safe_file.hpp"

namespace eco::central {

std::string credentials_path(const std::string& config_path, const std::string& configured) {
  std::filesystem::path base = std::filesystem::path(config_path).parent_path();
  if (!configured.empty()) {
    std::filesystem::path p(configured);
    return (p.is_absolute() ? p : base / p).string();
  }
  return (base / "central-credentials.json").string();
}

std::string write_credentials(const std::string& path, const KioskCredentials& cr) {
  struct stat st;
  if (lstat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode))
    return path + " is a link or not a regular file; not replaced";
  auto parent = std::filesystem::path(path).parent_path();
  if (!parent.empty())
    if (std::string e = make_private_dirs(parent.string()); !e.empty()) return e;
  nlohmann::json j = {{"user", cr.user}, {"password", cr.password}};
  return write_file_safely(path, j.dump(2) + "\n");  // 0600, fsynced, renamed into place
}

CredentialsRead read_credentials(const std::string& path) {
  CredentialsRead out;
  int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    out.error = errno == ELOOP ? path + " is a link; credentials are read only from a regular file"
                               : "cannot read " + path + ": " + std::strerror(errno);
    return out;
  }
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    out.error = path + " is not a regular file";
    return out;
  }
  if (st.st_mode & 077) {
    ::close(fd);
    char mode[8];
    std::snprintf(mode, sizeof mode, "%03o", static_cast<unsigned>(st.st_mode & 0777));
    out.error = path + " may be read by others (mode " + mode + "); make it 0600 (chmod 600)";
    return out;
  }
  if (st.st_size > 64 * 1024) {
    ::close(fd);
    out.error = path + " is too large to be a credentials file";
    return out;
  }
  std::string text(static_cast<std::size_t>(st.st_size), '\0');
  ssize_t n = ::read(fd, text.data(), text.size());
  ::close(fd);
  if (n != static_cast<ssize_t>(text.size())) {
    out.error = "cannot read " + path;
    return out;
  }
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_object() || !j.contains("user") || !j["user"].is_string() || !j.contains("password") ||
      !j["password"].is_string() || j["user"].get<std::string>().empty()) {
    out.error = path + " does not hold {\"user\": ..., \"password\": ...}";
    return out;
  }
  out.cr.user = j["user"].get<std::string>();
  out.cr.password = j["password"].get<std::string>();
  return out;
}

}  // namespace eco::central
