// Opening an older database updates it, and one step of that counts every stored
// response (minutes on a million). The kiosk does it on a worker thread while the
// window shows how far it has got; each step is committed, so a kiosk killed or
// closed part-way loses nothing and the next start carries on.
#pragma once

namespace eco::platform {
class GlfwBackend;
}

namespace eco::ui {

struct KioskApp;
class KioskFrame;

// Opens app.db_path (updating it) with the progress on screen, then hands the store to
// the models as a reopen would. False only when the window was closed before the end.
bool update_database(KioskApp& app, platform::GlfwBackend& backend, KioskFrame& frame);

}  // namespace eco::ui
