// `portal-cli ssh`: one connection, one session channel running the command (or the login
// shell), stdin/stdout/stderr streamed, the remote exit status returned (ssh(1) semantics).
#pragma once

#include "SshOptions.h"

namespace portal::app::cli {

// Runs the invocation to completion. Returns the remote command's exit status, or 255 for
// a connection, host-key or authentication failure (after one line on stderr saying why).
int runSshCommand(const SshInvocation& invocation);

} // namespace portal::app::cli
