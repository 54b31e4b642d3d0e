// Who may log in to the broker and what each may do, derived from the lot configuration: one
// account per sensor, camera, barrier and sign, one for parkd (and optionally one for parksim),
// and Mosquitto's ACL text granting each exactly its own topics. Pure.
#pragma once

#include <string>
#include <vector>

#include "core/lot.h"

namespace parkd {

struct BrokerAccount {
  std::string username;
  std::string role;  // parkd, sensor, camera, barrier, sign, simulator
  std::vector<std::string> read;   // topic filters it may subscribe to and receive
  std::vector<std::string> write;  // topics it may publish on
};

struct BrokerAccountOptions {
  std::string parkd_username = "parkd";
  bool simulator = false;  // a "parksim" account that plays every device (demos and soaks only)
};

std::vector<BrokerAccount> broker_accounts(const std::vector<Lot>& lots, const BrokerAccountOptions& options);

// Mosquitto's acl_file syntax: a "user" block per account, "topic read|write|readwrite" lines.
std::string mosquitto_acl(const std::vector<BrokerAccount>& accounts);

// The username of a device: "<lot>-<device id>" (usernames must be unique across lots).
std::string device_username(const std::string& lot_id, const std::string& device_id);

}  // namespace parkd
