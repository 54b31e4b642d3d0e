// parkctl's commands: each parses its own arguments, calls the control API and prints a table
// (or the API's JSON with --json). Exit codes tell scripts what went wrong.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

#include "control_client.h"

namespace parkd {

enum ExitCode : int {
  kExitOk = 0,
  kExitFailed = 1,       // parkd answered with an error of its own (5xx), or a file could not be written
  kExitUsage = 2,        // the command line is wrong
  kExitUnreachable = 3,  // parkd is not running at the endpoint
  kExitRefused = 4,      // the token was refused, or there is no token to send
  kExitNotFound = 5,     // unknown space, zone, plate or household
  kExitRejected = 6,     // parkd rejected the input (bad value, bad CSV, conflict)
};

struct CommandContext {
  const ControlClient& client;
  bool json = false;
  bool has_token = false;
  std::string token_problem;  // why there is no token, for the commands that need one
  std::FILE* out = stdout;
  std::FILE* err = stderr;
};

// Runs `args` (the command word first). Unknown commands are usage errors.
int run_command(const CommandContext& context, const std::vector<std::string>& args);

// The usage text of every command, and of one.
std::string parkctl_usage();
std::string command_usage(const std::string& command);

}  // namespace parkd
