// Asks the person at the keyboard for passwords, passphrases and host-key confirmations the
// way ssh(1) does: on the controlling terminal (/dev/tty, echo off for secrets) or through
// the SSH_ASKPASS program, as SSH_ASKPASS_REQUIRE and DISPLAY decide (ssh(1) ENVIRONMENT).
#pragma once

#include "common/SecretBytes.h"

#include <optional>
#include <string>

namespace portal::app::cli {

class Prompter {
public:
    // Reads SSH_ASKPASS, SSH_ASKPASS_REQUIRE and DISPLAY from the environment.
    Prompter();

    // One line of input after showing `prompt`, or nullopt if nobody can be asked (no tty
    // and no askpass) or the person cancelled (EOF, askpass failed).
    std::optional<protocol::SecretBytes> ask(const std::string& prompt, bool echo) const;

    // Text for the person to read (keyboard-interactive name and instruction): the tty if
    // there is one, else stderr.
    void show(const std::string& text) const;

private:
    bool useAskpass() const;
    std::optional<protocol::SecretBytes> askWithProgram(const std::string& prompt, bool echo) const;
    std::optional<protocol::SecretBytes> askOnTerminal(const std::string& prompt, bool echo) const;

    std::string askpass_;        // SSH_ASKPASS or the default program
    std::string askpassRequire_; // "never", "prefer", "force" or empty
    bool haveDisplay_ = false;
};

} // namespace portal::app::cli
