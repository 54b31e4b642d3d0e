// The roles' names as the token file and the API write them.
#include "control_role.h"

namespace parkd {

std::string_view name_of(ControlRole role) {
  switch (role) {
    case ControlRole::Viewer: return "viewer";
    case ControlRole::Guard: return "guard";
    case ControlRole::Clerk: return "clerk";
    case ControlRole::Admin: return "admin";
  }
  return "viewer";
}

std::optional<ControlRole> parse_control_role(std::string_view text) {
  for (ControlRole r : {ControlRole::Viewer, ControlRole::Guard, ControlRole::Clerk, ControlRole::Admin}) {
    if (text == name_of(r)) return r;
  }
  return std::nullopt;
}

}  // namespace parkd
