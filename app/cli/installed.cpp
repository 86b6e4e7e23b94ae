#include <pwd.h>
#include <unistd.h>

#include "cli/service_commands.hpp"

namespace eco::cli {

bool installed_build() {
#ifdef ECOKIOSK_SERVICE_USER
  return true;
#else
  return false;
#endif
}

void apply_installed_defaults(Common& c) {
#ifdef ECOKIOSK_SERVICE_USER
  const passwd* pw = getpwuid(geteuid());
  if (!pw || std::string(pw->pw_name) != ECOKIOSK_SERVICE_USER) return;
  if (c.db.empty()) c.db = ECOKIOSK_STATE_DIR "/ecokiosk.db";
  if (c.config.empty()) c.config = ECOKIOSK_CONFIG_FILE;
#else
  (void)c;
#endif
}

}  // namespace eco::cli
