// Opens the TCP connection for portal-cli: name resolution (IPv4 and IPv6), a connect
// deadline per address, and TCP_NODELAY set before the first byte so the version line and
// KEXINIT are not held back by Nagle's algorithm (PERFORMANCE.md).
#pragma once

#include "SshOptions.h"

#include <chrono>
#include <functional>
#include <string>

namespace portal::app::cli {

struct TcpConnection {
    int fd = -1;          // non-blocking, close-on-exec, TCP_NODELAY
    std::string address;  // numeric address that answered, for messages ("127.0.0.1", "::1")
};

// Tries every address the name resolves to, in the resolver's order, each with `timeout`
// (0: the system's own). Errors read like ssh(1)'s ("connect to host h port p: Connection
// refused"). `log` receives -v progress lines.
protocol::Result<TcpConnection> connectTcp(const std::string& host, int port, AddressFamily family,
                                           std::chrono::seconds timeout,
                                           const std::function<void(const std::string&)>& log);

} // namespace portal::app::cli
