// Resolves and connects with a deadline using getaddrinfo and a non-blocking connect().
#include "TcpConnector.h"

#include <cerrno>
#include <cstring>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace portal::app::cli {

using protocol::Error;
using protocol::Result;

namespace {

std::string numericAddress(const sockaddr* address, socklen_t length) {
    char text[NI_MAXHOST] = {};
    if (::getnameinfo(address, length, text, sizeof text, nullptr, 0, NI_NUMERICHOST) != 0)
        return "?";
    return text;
}

// One attempt; returns the connected socket or sets `error` to strerror-style text.
int connectOne(const addrinfo& candidate, std::chrono::seconds timeout, std::string& error) {
    const int fd = ::socket(candidate.ai_family, candidate.ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                            candidate.ai_protocol);
    if (fd < 0) {
        error = std::strerror(errno);
        return -1;
    }
    // Before connect(): the first flight (version line + KEXINIT) must not wait for an ACK.
    const int on = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
    if (::connect(fd, candidate.ai_addr, candidate.ai_addrlen) == 0)
        return fd;
    if (errno != EINPROGRESS) {
        error = std::strerror(errno);
        ::close(fd);
        return -1;
    }
    const int timeoutMs = timeout.count() > 0 ? static_cast<int>(timeout.count() * 1000) : -1;
    pollfd waiting{fd, POLLOUT, 0};
    int ready;
    do {
        ready = ::poll(&waiting, 1, timeoutMs);
    } while (ready < 0 && errno == EINTR);
    if (ready == 0) {
        error = "Connection timed out";
        ::close(fd);
        return -1;
    }
    int status = 0;
    socklen_t length = sizeof status;
    if (ready < 0 || ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &status, &length) != 0 || status != 0) {
        error = std::strerror(ready < 0 ? errno : status);
        ::close(fd);
        return -1;
    }
    return fd;
}

} // namespace

Result<TcpConnection> connectTcp(const std::string& host, int port, AddressFamily family,
                                 std::chrono::seconds timeout,
                                 const std::function<void(const std::string&)>& log) {
    addrinfo hints{};
    hints.ai_family = family == AddressFamily::IPv4 ? AF_INET : family == AddressFamily::IPv6 ? AF_INET6 : AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_protocol = IPPROTO_TCP;
    addrinfo* found = nullptr;
    const std::string service = std::to_string(port);
    if (const int status = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &found); status != 0)
        return Error::network("Could not resolve hostname " + host + ": " + ::gai_strerror(status));

    std::string lastError = "no usable address";
    TcpConnection connection;
    for (const addrinfo* candidate = found; candidate; candidate = candidate->ai_next) {
        const std::string address = numericAddress(candidate->ai_addr, candidate->ai_addrlen);
        log("Connecting to " + host + " [" + address + "] port " + service + ".");
        const int fd = connectOne(*candidate, timeout, lastError);
        if (fd >= 0) {
            connection = {fd, address};
            break;
        }
        log("connect to address " + address + " port " + service + ": " + lastError);
    }
    ::freeaddrinfo(found);
    if (connection.fd < 0)
        return Error::network("connect to host " + host + " port " + service + ": " + lastError);
    log("Connection established.");
    return connection;
}

} // namespace portal::app::cli
