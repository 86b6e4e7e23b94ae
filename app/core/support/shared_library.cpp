#include "core/support/shared_library.hpp"

#include <dlfcn.h>

#include <utility>

namespace eco {

SharedLibrary::SharedLibrary(std::string soname, std::string package)
    : soname_(std::move(soname)), package_(std::move(package)) {}

// Never closed: the libraries opened here keep threads and static state (glog, espeak's
// engine) that must outlive every caller; the process exit releases them.
SharedLibrary::~SharedLibrary() = default;

bool SharedLibrary::open() {
  std::lock_guard lock(m_);
  if (tried_) return handle_ != nullptr;
  tried_ = true;
  // RTLD_LOCAL: its symbols serve only the pointers taken from it here.
  handle_ = dlopen(soname_.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle_) {
    const char* why = dlerror();
    error_ = soname_ + " cannot be loaded (install the Debian package " + package_ + "): " +
             (why ? why : "unknown reason");
  }
  return handle_ != nullptr;
}

void* SharedLibrary::symbol(const char* name) {
  std::lock_guard lock(m_);
  if (!handle_) return nullptr;
  dlerror();
  void* p = dlsym(handle_, name);
  if (!p) error_ = soname_ + " has no " + name + " (a different version than this program was built for?)";
  return p;
}

bool SharedLibrary::loaded() const {
  std::lock_guard lock(m_);
  return handle_ != nullptr;
}

std::string SharedLibrary::error() const {
  std::lock_guard lock(m_);
  return error_;
}

}  // namespace eco
