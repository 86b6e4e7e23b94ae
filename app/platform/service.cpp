#include "platform/service.hpp"

#include <systemd/sd-daemon.h>
#include <sys/stat.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <streambuf>

namespace eco::platform {

namespace {

// Is fd 2 the stream systemd named in JOURNAL_STREAM ("device:inode")?
bool stderr_is_journal() {
  const char* js = std::getenv("JOURNAL_STREAM");
  if (!js || !*js) return false;
  unsigned long long dev = 0, ino = 0;
  if (std::sscanf(js, "%llu:%llu", &dev, &ino) != 2) return false;
  struct stat st {};
  if (fstat(2, &st) != 0) return false;
  return static_cast<unsigned long long>(st.st_dev) == dev && static_cast<unsigned long long>(st.st_ino) == ino;
}

// Forwards to the real stderr buffer, inserting "<N>" at the start of each line.
class LevelBuf : public std::streambuf {
 public:
  explicit LevelBuf(std::streambuf* out) : out_(out) {}

 protected:
  int overflow(int ch) override {
    if (ch == traits_type::eof()) return sync() == 0 ? 0 : traits_type::eof();
    line_.push_back(static_cast<char>(ch));
    if (ch == '\n') flush_line();
    return ch;
  }
  int sync() override {
    if (!line_.empty()) flush_line();  // a partial line ("PIN: " prompts) goes out as it is
    return out_->pubsync();
  }

 private:
  void flush_line() {
    std::string prefix = "<" + std::to_string(journal_level(line_)) + ">";
    out_->sputn(prefix.data(), static_cast<std::streamsize>(prefix.size()));
    out_->sputn(line_.data(), static_cast<std::streamsize>(line_.size()));
    line_.clear();
  }
  std::streambuf* out_;
  std::string line_;
};

double now_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

bool starts(const std::string& s, const char* p) { return s.rfind(p, 0) == 0; }

}  // namespace

int journal_level(const std::string& line) {
  for (const char* p : {"error", "GLFW error", "database unavailable", "cannot", "backup failed"})
    if (starts(line, p)) return 3;
  for (const char* p : {"warning", "database was damaged", "config:", "questionnaire refused", "strings:", "catalog:"})
    if (starts(line, p)) return 4;
  return 6;
}

void use_journal_levels_if_connected() {
  if (!stderr_is_journal()) return;
  static LevelBuf buf(std::cerr.rdbuf());
  std::cerr.rdbuf(&buf);
}

ServiceNotifier::ServiceNotifier() {
  const char* sock = std::getenv("NOTIFY_SOCKET");
  socket_ = sock && *sock;
  const char* usec = std::getenv("WATCHDOG_USEC");
  if (socket_ && usec && *usec) {
    char* end = nullptr;
    unsigned long long us = std::strtoull(usec, &end, 10);
    if (end && *end == '\0' && us > 0) interval_s_ = static_cast<double>(us) / 2e6;
  }
}

double ServiceNotifier::max_wait(double fallback) const {
  return interval_s_ > 0 && interval_s_ < fallback ? interval_s_ : fallback;
}

void ServiceNotifier::ready(const std::string& status) {
  if (!socket_ || ready_sent_) return;
  ready_sent_ = true;
  sd_notify(0, ("READY=1\nSTATUS=" + status).c_str());
  alive();
}

void ServiceNotifier::alive() {
  if (interval_s_ <= 0) return;
  // Pinging every frame would be a syscall per frame; twice per half-interval is plenty.
  double t = now_s();
  if (last_ping_ >= 0 && t - last_ping_ < interval_s_ / 2) return;
  last_ping_ = t;
  sd_notify(0, "WATCHDOG=1");
}

void ServiceNotifier::stopping() {
  if (socket_) sd_notify(0, "STOPPING=1");
}

}  // namespace eco::platform
