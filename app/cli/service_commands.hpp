// The commands a hall's IT person uses on an installed kiosk: first-start setup and the
// health check. Kept apart from commands.hpp, which holds the data commands.
#pragma once
#include <string>
#include <vector>

#include "cli/commands.hpp"

namespace eco::cli {

// An installed (packaged) build run as the service user reads /etc/ecokiosk/config.json
// and keeps its database in /var/lib/ecokiosk unless --config / --db say otherwise.
// Other users and development builds keep the XDG defaults.
void apply_installed_defaults(Common& c);
bool installed_build();

// Asks for the kiosk id, the hall's name and the admin PIN on standard input (so it can
// be scripted), then writes the configuration and sets the PIN. Nothing is written
// unless every answer is acceptable.
int setup(const Common& c);

struct DoctorArgs {
  std::vector<std::string> skip;  // check names to leave out (e.g. audio on a kiosk without speakers)
  std::string font;               // as the kiosk's --font
  double min_free_mb = 500;
};
// Every check a hall needs, one line each, green or red with the fix; 0 only when all pass.
int doctor(const Common& c, const DoctorArgs& a);

}  // namespace eco::cli
