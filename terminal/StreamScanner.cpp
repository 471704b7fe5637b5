// StreamScanner: see StreamScanner.h. Sequence syntax from ECMA-48 §5.4 (control sequences)
// and §5.6 (control strings); mode numbers from xterm's ctlseqs.
#include "StreamScanner.h"

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

namespace portal::terminal {
namespace {

constexpr char ESC = 0x1b;
constexpr char BEL = 0x07;
constexpr char CAN = 0x18;
constexpr char SUB = 0x1a;
constexpr std::size_t kMaxCsiBytes = 256; // longer sequences are dropped
constexpr int kMaxVTermArgs = 16;        // libvterm 0.1 CSI_ARGS_MAX
constexpr std::size_t kMaxDcsBytes = 64;

// The DECRQSS requests (DCS $ q Pt ST) libvterm 0.1 answers from its own state: SGR, DECSCUSR,
// DECSCA, DECSTBM, DECSLRM. Their replies contain none of the request's text.
bool isAnsweredDecrqss(std::string_view payload) {
    return payload == "$qm" || payload == "$q q" || payload == "$q\"q" || payload == "$qr" || payload == "$qs";
}

// Arguments as libvterm counts them: every ';' or ':' separated value.
int countArgs(const std::string& params) {
    int n = 1;
    for (char c : params)
        n += (c == ';' || c == ':') ? 1 : 0;
    return n;
}

// Re-issues a long SGR as several, each within libvterm's argument limit, keeping a colour
// and its arguments (38;5;n, 38;2;r;g;b) together; ITU T.416 groups are one token already.
std::string splitSgr(const std::string& params) {
    std::vector<std::string> tokens;
    std::size_t from = 0;
    for (std::size_t k = 0; k <= params.size(); ++k) {
        if (k == params.size() || params[k] == ';') {
            tokens.push_back(params.substr(from, k - from));
            from = k + 1;
        }
    }
    std::vector<std::string> groups;
    for (std::size_t k = 0; k < tokens.size(); ++k) {
        std::string group = tokens[k];
        if ((tokens[k] == "38" || tokens[k] == "48" || tokens[k] == "58") && k + 1 < tokens.size()) {
            const std::size_t extra = tokens[k + 1] == "5" ? 2 : tokens[k + 1] == "2" ? 4 : 0;
            for (std::size_t e = 1; e <= extra && k + 1 < tokens.size(); ++e)
                group += ';' + tokens[++k];
        }
        groups.push_back(group);
    }
    std::string out;
    std::string batch;
    int batchArgs = 0;
    for (const std::string& g : groups) {
        const int args = countArgs(g);
        if (args > kMaxVTermArgs)
            continue;
        if (batchArgs + args > kMaxVTermArgs) {
            out += "\x1b[" + batch + 'm';
            batch.clear();
            batchArgs = 0;
        }
        batch += (batch.empty() ? "" : ";") + g;
        batchArgs += args;
    }
    if (!batch.empty())
        out += "\x1b[" + batch + 'm';
    return out;
}

} // namespace

void StreamScanner::reset() {
    modes_ = TerminalModes{};
    faint_ = invisible_ = false;
}

void StreamScanner::feed(const char* bytes, std::size_t length) {
    std::size_t passStart = 0;
    std::size_t escAt = 0; // position of the ESC that started State::Escape in this write
    bool escInThisWrite = false;
    std::size_t csiStart = 0; // where the CSI being read starts in this write (0 if earlier)
    auto flush = [&](std::size_t end) {
        if (end > passStart)
            sink_.passThrough(bytes + passStart, end - passStart);
        passStart = end;
    };

    std::size_t i = 0;
    while (i < length) {
        switch (state_) {
        case State::Ground: {
            const void* esc = std::memchr(bytes + i, ESC, length - i);
            if (!esc) {
                i = length;
                break;
            }
            i = std::size_t(static_cast<const char*>(esc) - bytes);
            escAt = i;
            escInThisWrite = true;
            state_ = State::Escape;
            ++i;
            break;
        }
        case State::Escape: {
            const char c = bytes[i];
            const bool high = static_cast<unsigned char>(c) >= 0x80;
            if ((static_cast<unsigned char>(c) < 0x20 && c != ESC && c != CAN && c != SUB) || c == 0x7f || high) {
                // Like a VT500 parser, libvterm executes (or, for NUL and DEL, ignores) a C0
                // control inside an escape sequence and stays in it: "ESC NUL [" still starts a
                // CSI, which must be held and checked like any other. Executing the control now
                // and holding the ESC back is equivalent and keeps the ESC's position simple.
                // A byte from 0x80 up is ignored there the same way ("ESC 0xB4 ]" is an OSC to
                // libvterm 0.1), so it is dropped.
                flush(escInThisWrite ? escAt : passStart);
                if (c != 0 && c != 0x7f && !high)
                    sink_.passThrough(&c, 1);
                heldEscape_ = true;
                escInThisWrite = false;
                passStart = ++i;
                break;
            }
            if (c == ']' || c == 'P' || c == '_' || c == '^' || c == 'X') {
                // Control strings are ours: libvterm never sees them, introducer included.
                flush(escInThisWrite ? escAt : passStart);
                heldEscape_ = false;
                string_.clear();
                stringOverflow_ = false;
                stringKind_ = c == ']' ? StringKind::Osc : c == 'P' ? StringKind::Dcs : StringKind::Ignored;
                state_ = State::String;
                passStart = ++i;
                break;
            }
            if (c == '[') {
                // The CSI is held until complete: libvterm 0.1 writes past its argument array
                // when a CSI has more than 16 arguments, so such sequences must never reach it.
                csi_.clear();
                csiArgs_ = 1;
                csiOverflow_ = false;
                if (heldEscape_) {
                    csiHeld_.assign(1, ESC);
                    heldEscape_ = false;
                    csiStart = passStart;
                } else {
                    csiHeld_.clear();
                    csiStart = escAt;
                }
                state_ = State::Csi;
                ++i;
                break;
            }
            if (heldEscape_) {
                sink_.passThrough(&ESC, 1);
                heldEscape_ = false;
            }
            if (c == ESC) {
                escAt = i;
                escInThisWrite = true;
                ++i;
                break;
            } else if (c >= 0x20 && c <= 0x2f) {
                // An intermediate (ECMA-48 §5.3): a designation such as ESC ( B follows.
                state_ = State::EscapeIntermediate;
            } else {
                state_ = State::Ground;
                if (c == '=' || c == '>' || c == 'c') {
                    flush(i + 1);
                    if (c == 'c')
                        reset();
                    else
                        modes_.applicationKeypad = (c == '=');
                    sink_.scannerStateChanged();
                }
            }
            ++i;
            break;
        }
        case State::EscapeIntermediate: {
            // Passed through as it comes: libvterm keeps its place across writes.
            const char c = bytes[i];
            if (c == '[' || c == ']' || c == 'P') {
                // libvterm 0.1 starts a CSI, OSC or DCS here despite the intermediates, which
                // would slip past the checks above. CAN ends its escape sequence; then this
                // byte is read as if it followed a lone ESC, which is what libvterm makes of it.
                flush(i);
                sink_.passThrough(&CAN, 1);
                heldEscape_ = true;
                escInThisWrite = false;
                state_ = State::Escape;
                break;
            }
            if (c == ESC) {
                escAt = i;
                escInThisWrite = true;
                state_ = State::Escape;
            } else if (c == CAN || c == SUB || (c >= 0x30 && c <= 0x7e)) {
                state_ = State::Ground; // aborted, or the final byte
            }
            ++i; // more intermediates, or C0 controls libvterm executes in passing
            break;
        }
        case State::Csi: {
            // Parameter and intermediate bytes (0x20–0x3f), the bulk of a CSI, in a tight loop.
            std::size_t runEnd = i;
            while (runEnd < length && static_cast<unsigned char>(bytes[runEnd]) - 0x20u < 0x20u)
                ++runEnd;
            if (runEnd > i) {
                const std::size_t take = std::min(runEnd - i, kMaxCsiBytes - std::min(csi_.size(), kMaxCsiBytes));
                csi_.append(bytes + i, take);
                csiArgs_ += int(std::count_if(bytes + i, bytes + i + take, [](char b) { return b == ';' || b == ':'; }));
                csiOverflow_ |= take < runEnd - i;
                i = runEnd;
            }
            if (i == length)
                break;
            const unsigned char c = static_cast<unsigned char>(bytes[i]);
            if (c >= 0x40 && c <= 0x7e) {
                state_ = State::Ground;
                ++i;
                const bool plainSgr = c == 'm' && (csi_.empty() || (csi_[0] >= '0' && csi_[0] <= ';'));
                if (csiOverflow_ || (csiArgs_ > kMaxVTermArgs && !plainSgr)) {
                    flush(csiStart);
                    csiHeld_.clear();
                    passStart = i;
                    break;
                }
                const TerminalModes oldModes = modes_;
                const bool oldFaint = faint_, oldInvisible = invisible_;
                finishCsi(char(c));
                const TerminalModes newModes = modes_;
                const bool newFaint = faint_, newInvisible = invisible_;
                // The glyphs before this sequence are drawn with the old pen: libvterm reads it
                // back through the sink while the bytes are flushed.
                modes_ = oldModes;
                faint_ = oldFaint;
                invisible_ = oldInvisible;
                const bool changed = !(newModes == oldModes) || newFaint != oldFaint || newInvisible != oldInvisible;
                if (c == 'b') {
                    flush(csiStart);
                    csiHeld_.clear();
                    passStart = i;
                    if (csi_.find_first_not_of("0123456789") == std::string::npos) {
                        const long count = csi_.empty() ? 1 : csi_.size() > 9 ? maxRepeat_ : std::stol(csi_);
                        sink_.repeatPrecedingCharacter(std::min(std::max(count, 1L), maxRepeat_));
                    }
                } else if ((c == 'r' || c == 's') && !csi_.empty() && csi_[0] >= '0' && csi_[0] <= ';') {
                    // DECSTBM / DECSLRM with parameters: re-issued within the screen, or dropped
                    // when empty (xterm ignores a top margin at or below the bottom one).
                    flush(csiStart);
                    csiHeld_.clear();
                    passStart = i;
                    const int limit = c == 'r' ? rows_ : columns_;
                    long first = 0, second = 0;
                    const auto semicolon = csi_.find(';');
                    auto number = [](const std::string& t) {
                        return t.empty() || t.size() > 9 || t.find_first_not_of("0123456789") != std::string::npos
                                   ? 0L
                                   : std::stol(t);
                    };
                    first = number(csi_.substr(0, semicolon));
                    second = semicolon == std::string::npos ? 0 : number(csi_.substr(semicolon + 1));
                    first = std::clamp(first == 0 ? 1L : first, 1L, long(limit));
                    second = std::clamp(second == 0 ? long(limit) : second, 1L, long(limit));
                    if (first < second) {
                        const std::string margins =
                            "\x1b[" + std::to_string(first) + ';' + std::to_string(second) + char(c);
                        sink_.passThrough(margins.data(), margins.size());
                    }
                } else if (csiArgs_ > kMaxVTermArgs) {
                    flush(csiStart);
                    csiHeld_.clear();
                    const std::string split = splitSgr(csi_);
                    sink_.passThrough(split.data(), split.size());
                    passStart = i;
                } else if (!csiHeld_.empty()) {
                    sink_.passThrough(csiHeld_.data(), csiHeld_.size());
                    csiHeld_.clear();
                }
                if (changed) {
                    flush(i);
                    modes_ = newModes;
                    faint_ = newFaint;
                    invisible_ = newInvisible;
                    sink_.scannerStateChanged();
                }
            } else if (c == ESC || c == CAN || c == SUB) {
                // Aborted: libvterm would discard it too.
                flush(csiStart);
                csiHeld_.clear();
                if (c == ESC) {
                    escAt = i;
                    escInThisWrite = true;
                    state_ = State::Escape;
                    passStart = i;
                } else {
                    state_ = State::Ground;
                    passStart = i + 1;
                }
                ++i;
            } else {
                if (c >= 0x20 && c < 0x40) {
                    if (csi_.size() < kMaxCsiBytes) {
                        csi_.push_back(char(c));
                        csiArgs_ += (c == ';' || c == ':') ? 1 : 0;
                    } else {
                        csiOverflow_ = true;
                    }
                }
                ++i; // other C0 controls are executed by libvterm inside a CSI
            }
            break;
        }
        case State::String: {
            std::size_t j = i;
            while (j < length && bytes[j] != BEL && bytes[j] != ESC && bytes[j] != CAN && bytes[j] != SUB)
                ++j;
            const std::size_t take = j - i;
            const std::size_t cap = stringKind_ == StringKind::Osc   ? maxOscBytes_
                                    : stringKind_ == StringKind::Dcs ? kMaxDcsBytes
                                                                     : 0;
            if (!stringOverflow_) {
                if (string_.size() + take <= cap) {
                    string_.append(bytes + i, take);
                } else {
                    stringOverflow_ = true;
                    string_.clear();
                    string_.shrink_to_fit();
                }
            }
            i = j;
            if (i == length)
                break;
            const char c = bytes[i++];
            passStart = i;
            if (c == ESC) {
                state_ = State::StringEscape;
            } else {
                state_ = State::Ground;
                if (c == BEL) // xterm accepts BEL as the end of a string too
                    finishString();
                string_.clear();
            }
            break;
        }
        case State::StringEscape: {
            // ST is ESC \ (ECMA-48 §8.3.143). Any other ESC ends the string and starts a new
            // escape sequence, which is what xterm does.
            finishString();
            string_.clear();
            if (bytes[i] == '\\') {
                state_ = State::Ground;
                passStart = ++i;
            } else {
                state_ = State::Escape;
                heldEscape_ = true;
                escInThisWrite = false;
                passStart = i;
            }
            break;
        }
        }
    }

    switch (state_) {
    case State::Ground:
    case State::EscapeIntermediate:
        flush(length);
        break;
    case State::Csi:
        // Hold the incomplete CSI (bounded; an overlong one is dropped when it ends).
        flush(csiStart);
        if (!csiOverflow_) {
            if (csiHeld_.size() + (length - passStart) <= kMaxCsiBytes + 16)
                csiHeld_.append(bytes + passStart, length - passStart);
            else
                csiOverflow_ = true;
        }
        passStart = length;
        break;
    case State::Escape:
        // Hold a trailing ESC back: if "]" follows in the next write, libvterm must not see it.
        if (escInThisWrite) {
            flush(escAt);
            heldEscape_ = true;
        }
        break;
    case State::String:
    case State::StringEscape:
        break;
    }
}

void StreamScanner::finishString() {
    if (stringOverflow_)
        return;
    if (stringKind_ == StringKind::Osc) {
        sink_.operatingSystemCommand(string_);
    } else if (stringKind_ == StringKind::Dcs && isAnsweredDecrqss(string_)) {
        const std::string whole = "\x1bP" + string_ + "\x1b\\";
        sink_.passThrough(whole.data(), whole.size());
    }
}

void StreamScanner::finishCsi(char final) {
    if (csi_.empty() && final != 'm')
        return;
    const bool privateMode = !csi_.empty() && csi_[0] == '?';
    if (privateMode && (final == 'h' || final == 'l')) {
        int value = 0;
        bool any = false;
        for (std::size_t k = 1; k <= csi_.size(); ++k) {
            const char c = k < csi_.size() ? csi_[k] : ';';
            if (c >= '0' && c <= '9') {
                if (value < 100000)
                    value = value * 10 + (c - '0');
                any = true;
            } else if (c == ';') {
                if (any)
                    applyDecMode(value, final == 'h');
                value = 0;
                any = false;
            } else {
                return; // intermediates or other private markers: not a DECSET/DECRST
            }
        }
        return;
    }
    if (final == 'p' && csi_ == "!") { // DECSTR soft reset
        modes_.applicationCursor = false;
        modes_.applicationKeypad = false;
        faint_ = invisible_ = false;
        return;
    }
    if (final == 'm')
        applySgr();
}

void StreamScanner::applyDecMode(int mode, bool set) {
    using Mouse = TerminalModes::Mouse;
    using Encoding = TerminalModes::MouseEncoding;
    switch (mode) {
    case 1: modes_.applicationCursor = set; break;
    case 9:
    case 1000: modes_.mouse = set ? Mouse::Click : Mouse::Off; break;
    case 1002: modes_.mouse = set ? Mouse::Drag : Mouse::Off; break;
    case 1003: modes_.mouse = set ? Mouse::Motion : Mouse::Off; break;
    case 1004: modes_.focusEvents = set; break;
    case 1005: modes_.mouseEncoding = set ? Encoding::Utf8 : Encoding::Default; break;
    case 1006: modes_.mouseEncoding = set ? Encoding::Sgr : Encoding::Default; break;
    case 1015: modes_.mouseEncoding = set ? Encoding::Urxvt : Encoding::Default; break;
    case 2004: modes_.bracketedPaste = set; break;
    default: break;
    }
}

void StreamScanner::applySgr() {
    // Parameters are separated by ';'; ':' joins sub-parameters to their parameter (ITU T.416),
    // so "38:2::1:2:3" is one parameter. Colour arguments after 38/48/58 are skipped.
    if (csi_.empty()) {
        faint_ = invisible_ = false;
        return;
    }
    // Most SGRs (colours, bold, resets) cannot change faint or invisible: without a '2' or an
    // '8' only a reset could, and with both already off it changes nothing.
    if (!faint_ && !invisible_ && csi_.find_first_of("28") == std::string::npos)
        return;
    int params[32];
    int count = 0;
    int value = 0;
    bool sub = false;
    for (std::size_t k = 0; k <= csi_.size(); ++k) {
        const char c = k < csi_.size() ? csi_[k] : ';';
        if (c >= '0' && c <= '9') {
            if (value < 100000)
                value = value * 10 + (c - '0');
        } else if (c == ':') {
            sub = true;
        } else if (c == ';') {
            if (count < 32)
                params[count++] = sub ? -1 : value; // -1: a colour given with sub-parameters
            value = 0;
            sub = false;
        } else {
            return; // a private or intermediate byte: not plain SGR
        }
    }
    for (int k = 0; k < count; ++k) {
        switch (params[k]) {
        case 0: faint_ = invisible_ = false; break;
        case 2: faint_ = true; break;
        case 22: faint_ = false; break;
        case 8: invisible_ = true; break;
        case 28: invisible_ = false; break;
        case 38:
        case 48:
        case 58:
            if (k + 1 < count && params[k + 1] == 5)
                k += 2;
            else if (k + 1 < count && params[k + 1] == 2)
                k += 4;
            break;
        default: break;
        }
    }
}

} // namespace portal::terminal
