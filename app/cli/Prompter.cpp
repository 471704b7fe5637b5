// Terminal and SSH_ASKPASS prompting with the terminal restored on every exit path.
#include "Prompter.h"

#include <cerrno>
#include <csignal>
#include <cstdlib>

#include <fcntl.h>
#include <openssl/crypto.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

namespace portal::app::cli {

using protocol::SecretBytes;

namespace {

// The terminal state to put back if a signal arrives while echo is off. Written before the
// handlers are installed and read only by them.
int gTerminalFd = -1;
termios gSavedTerminal{};

void restoreTerminalAndReraise(int signal) {
    if (gTerminalFd >= 0)
        ::tcsetattr(gTerminalFd, TCSAFLUSH, &gSavedTerminal);
    ::signal(signal, SIG_DFL);
    ::raise(signal);
}

const char* environmentOr(const char* name, const char* fallback) {
    const char* value = std::getenv(name);
    return value && *value ? value : fallback;
}

} // namespace

Prompter::Prompter()
    : askpass_(environmentOr("SSH_ASKPASS", "/usr/bin/ssh-askpass")),
      askpassRequire_(environmentOr("SSH_ASKPASS_REQUIRE", "")),
      haveDisplay_(std::getenv("DISPLAY") || std::getenv("WAYLAND_DISPLAY")) {}

bool Prompter::useAskpass() const {
    // ssh(1): "force" always uses the program; "prefer" uses it when there is a display;
    // otherwise it is used only when there is no terminal but there is a display.
    if (askpassRequire_ == "force")
        return true;
    if (askpassRequire_ == "never")
        return false;
    if (askpassRequire_ == "prefer")
        return haveDisplay_;
    if (!haveDisplay_)
        return false;
    const int tty = ::open("/dev/tty", O_RDWR | O_CLOEXEC);
    if (tty < 0)
        return true;
    ::close(tty);
    return false;
}

std::optional<SecretBytes> Prompter::ask(const std::string& prompt, bool echo) const {
    return useAskpass() ? askWithProgram(prompt, echo) : askOnTerminal(prompt, echo);
}

void Prompter::show(const std::string& text) const {
    if (text.empty())
        return;
    std::string line = text;
    if (line.back() != '\n')
        line += '\n';
    const int tty = ::open("/dev/tty", O_WRONLY | O_CLOEXEC);
    const int fd = tty >= 0 ? tty : STDERR_FILENO;
    [[maybe_unused]] ssize_t written = ::write(fd, line.data(), line.size());
    if (tty >= 0)
        ::close(tty);
}

std::optional<SecretBytes> Prompter::askWithProgram(const std::string& prompt, bool echo) const {
    int pipeFds[2];
    if (::pipe2(pipeFds, O_CLOEXEC) != 0)
        return std::nullopt;
    const pid_t child = ::fork();
    if (child < 0) {
        ::close(pipeFds[0]);
        ::close(pipeFds[1]);
        return std::nullopt;
    }
    if (child == 0) {
        ::dup2(pipeFds[1], STDOUT_FILENO);
        // OpenSSH tells the program whether the answer may be shown.
        if (echo)
            ::setenv("SSH_ASKPASS_PROMPT", "none", 1);
        ::execlp(askpass_.c_str(), askpass_.c_str(), prompt.c_str(), static_cast<char*>(nullptr));
        ::_exit(127);
    }
    ::close(pipeFds[1]);
    SecretBytes answer;
    std::uint8_t buffer[256];
    for (;;) {
        const ssize_t got = ::read(pipeFds[0], buffer, sizeof buffer);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            break;
        answer.append({buffer, static_cast<std::size_t>(got)});
    }
    OPENSSL_cleanse(buffer, sizeof buffer);
    ::close(pipeFds[0]);
    int status = 0;
    while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return std::nullopt;
    // The answer is the first line.
    std::size_t length = 0;
    while (length < answer.size() && answer.data()[length] != '\n' && answer.data()[length] != '\r')
        ++length;
    answer.resize(length);
    return answer;
}

std::optional<SecretBytes> Prompter::askOnTerminal(const std::string& prompt, bool echo) const {
    const int tty = ::open("/dev/tty", O_RDWR | O_CLOEXEC);
    if (tty < 0)
        return std::nullopt;
    termios saved{};
    const bool isTerminal = ::tcgetattr(tty, &saved) == 0;
    struct sigaction previous[4];
    const int signals[4] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
    if (isTerminal && !echo) {
        gTerminalFd = tty;
        gSavedTerminal = saved;
        struct sigaction restore{};
        restore.sa_handler = restoreTerminalAndReraise;
        for (int i = 0; i < 4; ++i)
            ::sigaction(signals[i], &restore, &previous[i]);
        termios quiet = saved;
        quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        quiet.c_lflag |= ECHONL;
        ::tcsetattr(tty, TCSAFLUSH, &quiet);
    }
    [[maybe_unused]] ssize_t written = ::write(tty, prompt.data(), prompt.size());
    SecretBytes answer;
    bool gotLine = false;
    for (;;) {
        std::uint8_t byte = 0;
        const ssize_t got = ::read(tty, &byte, 1);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            break;
        if (byte == '\n' || byte == '\r') {
            gotLine = true;
            break;
        }
        answer.append({&byte, 1});
        byte = 0;
    }
    if (isTerminal && !echo) {
        ::tcsetattr(tty, TCSAFLUSH, &saved);
        for (int i = 0; i < 4; ++i)
            ::sigaction(signals[i], &previous[i], nullptr);
        gTerminalFd = -1;
    }
    ::close(tty);
    if (!gotLine && answer.empty())
        return std::nullopt; // EOF: the person closed the terminal or pressed ^D
    return answer;
}

} // namespace portal::app::cli
