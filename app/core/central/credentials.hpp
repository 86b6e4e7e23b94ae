// A kiosk's login to the center: a small JSON file {"user": ..., "password": ...}
// beside config.json, 0600. Written by `central add-kiosk`, read by the sync worker,
// which refuses a file others may read or a link planted in its place.
#pragma once
#include <string>

#include "core/central/schema.hpp"

namespace eco::central {

// config.json's folder + central-credentials.json, unless configured is set.
std::string credentials_path(const std::string& config_path, const std::string& configured);

// "" on success. Refuses a symlink (or anything but a regular file) at path.
std::string write_credentials(const std::string& path, const KioskCredentials& cr);

struct CredentialsRead {
  KioskCredentials cr;
  std::string error;  // "" when cr holds a user and a password
};
CredentialsRead read_credentials(const std::string& path);

}  // namespace eco::central
