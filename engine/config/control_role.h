// Who may do what through the control API and the console: four roles, each allowed all that the
// ones below it are. The table of which endpoint needs which role is the API's (control_api.cpp).
#pragma once

#include <optional>
#include <string_view>

namespace parkd {

enum class ControlRole {
  Viewer,  // the lot, its sensors and alerts, without plates (the owners' committee)
  Guard,   // also plates, visitors inside, closing spaces, opening barriers, dismissing alerts
  Clerk,   // also the registry, imports, settling visitors, special passes, bills and notices
  Admin,   // also the audit log and backups
};

std::string_view name_of(ControlRole role);
std::optional<ControlRole> parse_control_role(std::string_view text);

// Whether `held` allows what `needed` allows.
constexpr bool allows(ControlRole held, ControlRole needed) { return static_cast<int>(held) >= static_cast<int>(needed); }

}  // namespace parkd
