// StreamScanner: see StreamScanner.h. Sequence syntax from ECMA-48 §5.4 (control sequences)
// and §5.6 (control strings); mode numbers from xterm's ctlseqs.
#include "StreamScanner.h"

#include <algorithm>
#include <optional>
#include <cstring>
#include <string>
#include <vector>

#include "VTermCompat.h"

namespace portal::terminal {
namespace {

constexpr char NUL = 0x00;
constexpr char BEL = 0x07;
constexpr char SO = 0x0e; // LS1 (ECMA-48 §8.3.76)
constexpr char SI = 0x0f; // LS0 (ECMA-48 §8.3.75)
constexpr char CAN = 0x18;
constexpr char SUB = 0x1a;
constexpr char ESC = 0x1b;
constexpr char DEL = 0x7f;
constexpr std::size_t kMaxCsiBytes = 256;                 // longer sequences are dropped
constexpr std::size_t kMaxHeldBytes = kMaxCsiBytes + 64; // ESC, intermediates, '[', markers
constexpr int kMaxVTermArgs = 16;                        // libvterm 0.1 CSI_ARGS_MAX
constexpr std::size_t kMaxDcsBytes = 64;

// The DECRQSS requests (DCS $ q Pt ST) libvterm 0.1 answers from its own state: SGR, DECSCUSR,
// DECSCA, DECSTBM, DECSLRM. Their replies contain none of the request's text.
bool isAnsweredDecrqss(std::string_view payload) {
    return payload == "$qm" || payload == "$q q" || payload == "$q\"q" || payload == "$qr" || payload == "$qs";
}

// Arguments as libvterm counts them: every ';' or ':' separated value.
int countArgs(std::string_view params) {
    int n = 1;
    for (char c : params)
        n += (c == ';' || c == ':') ? 1 : 0;
    return n;
}

// Calls fn(group) for each SGR parameter group in the order libvterm reads them: a colour
// selector with its arguments (38, 48, 58 followed by ;5;n or ;2;r;g;b) is one group; the
// ITU T.416 forms joined by ':' are one parameter already. A missing parameter is an empty group.
template <typename Fn>
void forEachSgrGroup(std::string_view params, Fn&& fn) {
    auto tokenEnd = [&](std::size_t from) { return std::min(params.find(';', from), params.size()); };
    for (std::size_t k = 0; k <= params.size();) {
        std::size_t end = tokenEnd(k);
        const std::string_view first = params.substr(k, end - k);
        if ((first == "38" || first == "48" || first == "58") && end < params.size()) {
            const std::size_t selectorEnd = tokenEnd(end + 1);
            const std::string_view selector = params.substr(end + 1, selectorEnd - end - 1);
            const int extra = selector == "5" ? 2 : selector == "2" ? 4 : 0;
            for (int e = 0; e < extra && end < params.size(); ++e)
                end = tokenEnd(end + 1);
        }
        fn(params.substr(k, end - k));
        k = end + 1;
    }
}

// The SGR number a group starts with (0 when missing), or -1 if it is not a small number.
int sgrNumber(std::string_view group) {
    const std::string_view head = group.substr(0, group.find_first_of(":;"));
    if (head.size() > 3)
        return -1;
    int n = 0;
    for (char c : head)
        n = n * 10 + (c - '0');
    return n;
}

bool isUnderlineColourGroup(std::string_view group) {
    const int n = sgrNumber(group);
    return n == 58 || n == 59;
}

// The colour of an SGR 58 group (kitty / VTE / xterm underline colour): 58;5;n and 58:5:n
// index the palette, 58;2;r;g;b, 58:2::r:g:b and 58:2:r:g:b are direct (ITU T.416 §13.1.8,
// where the empty field is the colour space). Nothing for a malformed group.
std::optional<Color> underlineColourOf(std::string_view group) {
    int values[8];
    int count = 0;
    bool colons = false;
    for (std::size_t k = 3, from = 3; k <= group.size() && count < 8; ++k) {
        if (k < group.size() && group[k] != ':' && group[k] != ';')
            continue;
        colons |= k < group.size() && group[k] == ':';
        const std::string_view field = group.substr(from, k - from);
        values[count++] = field.empty() ? 0 : field.size() > 3 ? 256 : sgrNumber(field);
        from = k + 1;
    }
    if (group.size() < 3)
        return std::nullopt;
    colons |= group[2] == ':';
    auto byte = [](int v) { return v >= 0 && v <= 255; };
    if (count >= 2 && values[0] == 5 && byte(values[1]))
        return Color::indexed(std::uint8_t(values[1]));
    const int first = colons && count >= 5 ? 2 : 1; // skip the colour space id
    if (count >= first + 3 && values[0] == 2 && byte(values[first]) && byte(values[first + 1]) && byte(values[first + 2]))
        return Color::rgb(std::uint8_t(values[first]), std::uint8_t(values[first + 1]), std::uint8_t(values[first + 2]));
    return std::nullopt;
}

// Re-issues an SGR the way libvterm 0.1 can take it: without the underline colour groups
// (58, 59), which it does not know and whose arguments it would read as SGRs of their own
// (58;2;… as faint), and in batches within its argument limit. Empty when nothing is left.
std::string sgrForVTerm(std::string_view params) {
    std::string out;
    std::string batch;
    int batchArgs = 0;
    forEachSgrGroup(params, [&](std::string_view group) {
        const int args = countArgs(group);
        if (args > kMaxVTermArgs || isUnderlineColourGroup(group))
            return;
        if (batchArgs + args > kMaxVTermArgs) {
            out += "\x1b[" + batch + 'm';
            batch.clear();
            batchArgs = 0;
        }
        if (batchArgs > 0)
            batch += ';';
        batch += group;
        batchArgs += args;
    });
    if (batchArgs > 0)
        out += "\x1b[" + batch + 'm';
    return out;
}

// DECSTBM / DECSLRM parameters clamped to 1 … limit (libvterm 0.1 accepts margins beyond the
// screen and then moves memory with a negative size); empty when the margins are empty.
std::string clampedMargins(const std::string& params, char final, int limit) {
    auto number = [](const std::string& t) {
        return t.empty() || t.size() > 9 || t.find_first_not_of("0123456789") != std::string::npos ? 0L
                                                                                                  : std::stol(t);
    };
    const auto semicolon = params.find(';');
    long first = number(params.substr(0, semicolon));
    long second = semicolon == std::string::npos ? 0 : number(params.substr(semicolon + 1));
    first = std::clamp(first == 0 ? 1L : first, 1L, long(limit));
    second = std::clamp(second == 0 ? long(limit) : second, 1L, long(limit));
    if (first >= second)
        return {};
    return "\x1b[" + std::to_string(first) + ';' + std::to_string(second) + final;
}

} // namespace

// Whether libvterm itself puts back what TextState models on DECSTR (CSI ! p): IRM and DECOM off,
// the default set (ASCII, or UTF-8 in UTF-8 mode) in G0-G3, and G0 in GL (see VTermCompat.h).
bool StreamScanner::libvtermPerformsSoftReset() { return vterm_compat::kPerformsSoftReset; }

void StreamScanner::reset() {
    modes_ = TerminalModes{};
    faint_ = invisible_ = false;
    underlineColour_ = Color{};
    text_ = TextState{};
}

// The first parameter of a CSI's parameter bytes, as libvterm reads it (sub-parameters after
// ':' belong to it); -1 when missing or too long to matter.
static int firstCsiArgument(std::string_view params) {
    const std::string_view first = params.substr(0, params.find_first_of(";:"));
    if (first.empty() || first.size() > 6)
        return -1;
    int n = 0;
    for (char c : first)
        n = n * 10 + (c - '0');
    return n;
}

void StreamScanner::noteControl(unsigned char c) {
    if (c == SO)
        text_.gl = 1;
    else if (c == SI)
        text_.gl = 0;
}

// An escape sequence's final byte, as libvterm's on_escape sees it: LS2, LS3, RIS, and the
// designations (SCS, ESC ( F and the like) of G0–G3, of which only 'B' is ASCII.
void StreamScanner::noteEscape(char final) {
    if (escIntermediates_ == 0) {
        if (final == 'n' || final == 'o')
            text_.gl = final == 'n' ? 2 : 3;
        return;
    }
    if (escIntermediate_ < '(' || escIntermediate_ > '+')
        return;
    const unsigned bit = 1u << (escIntermediate_ - '(');
    if (escIntermediates_ == 1 && final == 'B')
        text_.asciiSets = static_cast<unsigned char>(text_.asciiSets | bit);
    else
        text_.asciiSets = static_cast<unsigned char>(text_.asciiSets & ~bit);
}

// IRM (SM/RM 4) and DECOM (DECSET/DECRST 6): libvterm 0.1.4 reads only the first parameter.
void StreamScanner::noteTextModes(char final) {
    const bool set = final == 'h';
    if (csiPlain_ && firstCsiArgument(csi_) == 4)
        text_.insert = set;
    else if (csi_.size() > 1 && csi_[0] == '?' && csi_.find_first_not_of("0123456789;:", 1) == std::string::npos &&
             firstCsiArgument(std::string_view(csi_).substr(1)) == 6)
        text_.origin = set;
}

// Whether a CSI with this final byte may change what the scanner tracks or must re-issue:
// modes (h, l, DECSTR p), REP (b), margins (r, s), and SGRs that can touch faint, invisible
// or the underline colour (only a '2', '5' or '8' can set them; any SGR may reset them).
bool StreamScanner::concernsScanner(char final) const {
    switch (final) {
    case 'h':
    case 'l':
    case 'p':
    case 'b':
    case 'r':
    case 's': return true;
    case 'J': return csi_ == "3";
    case 'm':
        return faint_ || invisible_ || !(underlineColour_ == Color{}) ||
               csi_.find_first_of("258") != std::string::npos;
    default: return false;
    }
}

void StreamScanner::hold(const char* bytes, std::size_t length) {
    if (overflow_)
        return;
    if (held_.size() + length > kMaxHeldBytes) {
        overflow_ = true;
        held_.clear();
        return;
    }
    held_.append(bytes, length);
}

// A leader or intermediate byte: kept for the dispatch, and the CSI is no longer plain.
void StreamScanner::addCsiMarker(char c) {
    csiPlain_ = false;
    if (csi_.size() < kMaxCsiBytes)
        csi_.push_back(c);
    else
        overflow_ = true;
}

void StreamScanner::beginString(char introducer) {
    string_.clear();
    stringOverflow_ = false;
    stringKind_ = introducer == ']' ? StringKind::Osc : introducer == 'P' ? StringKind::Dcs : StringKind::Ignored;
    state_ = State::String;
}

void StreamScanner::feed(const char* bytes, std::size_t length) {
    // bytes[passStart, i) are on their way to libvterm unchanged, flushed in one call where we
    // can. While a sequence is pending, its bytes in this write start at seqStart (everything
    // before it is in held_), so it can be passed on, held, or cut out.
    std::size_t passStart = 0;
    std::size_t seqStart = 0;
    auto flush = [&](std::size_t end) {
        if (end > passStart)
            sink_.passThrough(bytes + passStart, end - passStart);
        passStart = end;
    };
    // The pending sequence's bytes before `end` move to held_, so that bytes[end] can be
    // executed or skipped on its own while the sequence goes on.
    auto holdUpTo = [&](std::size_t end) {
        flush(seqStart);
        hold(bytes + seqStart, end - seqStart);
        passStart = seqStart = end;
    };
    // The pending sequence, which ends before `end`, never reaches libvterm.
    auto dropUpTo = [&](std::size_t end) {
        flush(seqStart);
        held_.clear();
        passStart = end;
    };
    // The pending sequence goes to libvterm as it came: held bytes now, the rest with the write.
    auto release = [&] {
        if (!held_.empty()) {
            sink_.passThrough(held_.data(), held_.size());
            held_.clear();
        }
    };
    auto beginEscape = [&](std::size_t at) {
        state_ = State::Escape;
        seqStart = at;
        escIntermediates_ = 0;
        overflow_ = false;
    };

    // A complete CSI ending before `end`: checked, interpreted, and passed on, re-issued or cut.
    auto dispatchCsi = [&](char final, std::size_t end) {
        // XTVERSION (CSI > q): libvterm 0.3 answers with its own name and version, 0.1 not at all.
        // Unanswered with either, so the host learns the same about us whichever is linked.
        if (final == 'q' && !csi_.empty() && csi_[0] == '>') {
            dropUpTo(end);
            return;
        }
        // Most CSIs (cursor motion, erase, colours) concern libvterm alone: passed on at once.
        if (!overflow_ && csiArgs_ <= kMaxVTermArgs && !concernsScanner(final)) {
            release();
            return;
        }
        if (overflow_ || (csiArgs_ > kMaxVTermArgs && !(final == 'm' && csiPlain_))) {
            dropUpTo(end);
            return;
        }
        const TerminalModes oldModes = modes_;
        const bool oldFaint = faint_, oldInvisible = invisible_;
        const Color oldUnderline = underlineColour_;
        sgrUnderlineColour_ = false;
        finishCsi(final);
        const TerminalModes newModes = modes_;
        const bool newFaint = faint_, newInvisible = invisible_;
        const Color newUnderline = underlineColour_;
        // The glyphs before this sequence are drawn with the old pen: libvterm reads it back
        // through the sink while the bytes are flushed.
        modes_ = oldModes;
        faint_ = oldFaint;
        invisible_ = oldInvisible;
        underlineColour_ = oldUnderline;
        const bool changed = !(newModes == oldModes) || newFaint != oldFaint || newInvisible != oldInvisible ||
                             !(newUnderline == oldUnderline);
        if (final == 'b') {
            dropUpTo(end);
            if (csi_.find_first_not_of("0123456789") == std::string::npos) {
                const long count = csi_.empty() ? 1 : csi_.size() > 9 ? maxRepeat_ : std::stol(csi_);
                sink_.repeatPrecedingCharacter(std::min(std::max(count, 1L), maxRepeat_));
            }
        } else if ((final == 'r' || final == 's') && csiPlain_ && !csi_.empty()) {
            // DECSTBM / DECSLRM with parameters: re-issued within the screen, or dropped when
            // empty (xterm ignores a top margin at or below the bottom one).
            dropUpTo(end);
            const std::string margins = clampedMargins(csi_, final, final == 'r' ? rows_ : columns_);
            if (!margins.empty())
                sink_.passThrough(margins.data(), margins.size());
        } else if (final == 'm' && (csiArgs_ > kMaxVTermArgs || sgrUnderlineColour_)) {
            dropUpTo(end);
            const std::string sgr = sgrForVTerm(csi_);
            sink_.passThrough(sgr.data(), sgr.size());
        } else {
            release();
        }
        if (changed) {
            flush(end);
            modes_ = newModes;
            faint_ = newFaint;
            invisible_ = newInvisible;
            underlineColour_ = newUnderline;
            sink_.scannerStateChanged();
        }
        if (final == 'l' && !csi_.empty() && csi_[0] == '?') {
            flush(end);
            sink_.cursorRestored();
        }
        if (final == 'J' && csi_ == "3") { // libvterm 0.1 ignores it; 0.3 asks for sb_clear, unset
            flush(end);
            sink_.scrollbackErased();
        }
    };

    std::size_t i = 0;
    while (i < length) {
        // Control strings are ours alone: libvterm is in its ground state meanwhile.
        if (state_ == State::String) {
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
                stringEndedWithBel_ = c == BEL;
                if (c == BEL) // xterm accepts BEL as the end of a string too
                    finishString();
                string_.clear();
            }
            continue;
        }
        if (state_ == State::StringEscape) {
            // ST is ESC \ (ECMA-48 §8.3.143). Any other byte ends the string and is read as
            // following a lone ESC, which is what xterm does.
            stringEndedWithBel_ = false;
            finishString();
            string_.clear();
            if (bytes[i] == '\\') {
                state_ = State::Ground;
                passStart = ++i;
            } else {
                beginEscape(i);
                held_.assign(1, ESC);
                passStart = i;
            }
            continue;
        }
        if (state_ == State::Ground) {
            // Text and controls are libvterm's; only an ESC starts something to watch.
            if (!textRuns_) {
                const void* esc = std::memchr(bytes + i, ESC, length - i);
                i = esc ? std::size_t(static_cast<const char*>(esc) - bytes) : length;
            } else {
                // Byte by byte: SO and SI change the character set in GL, and long runs of
                // printable ASCII are handed over apart (see setTextRuns).
                while (i < length) {
                    const auto b = static_cast<unsigned char>(bytes[i]);
                    if (b - 0x20u < 0x5fu) {
                        std::size_t end = i + 1;
                        while (end < length && static_cast<unsigned char>(bytes[end]) - 0x20u < 0x5fu)
                            ++end;
                        // Not when UTF-8 follows: libvterm decodes a combining mark right after
                        // the run with the run's last character only when both come in one
                        // text call (a later call checks the cursor, which stays put at the
                        // last column).
                        const bool utf8Follows = end < length && static_cast<unsigned char>(bytes[end]) >= 0x80;
                        if (end - i >= kMinTextRun && !utf8Follows && plainText()) {
                            flush(i + 1);
                            sink_.printableText(bytes + i + 1, end - i - 1);
                            passStart = end;
                        }
                        i = end;
                        continue;
                    }
                    if (b == static_cast<unsigned char>(ESC))
                        break;
                    noteControl(b);
                    ++i;
                }
            }
            if (i == length)
                break;
            beginEscape(i);
            ++i;
            continue;
        }

        // Inside an escape sequence or a CSI. libvterm 0.1.4 looks at these bytes before its
        // state: NUL and DEL are ignored, CAN and SUB abort, ESC starts afresh, and any other C0
        // control is executed in passing, the sequence going on around it.
        unsigned char c = static_cast<unsigned char>(bytes[i]);
        if (c < 0x20 || c == DEL) {
            if (c == ESC) {
                dropUpTo(i);
                beginEscape(i);
            } else if (c == CAN || c == SUB) {
                dropUpTo(i + 1);
                state_ = State::Ground;
            } else {
                holdUpTo(i);
                if (c != NUL && c != DEL)
                    sink_.passThrough(bytes + i, 1);
                noteControl(c);
                passStart = seqStart = i + 1;
            }
            ++i;
            continue;
        }

        switch (state_) {
        case State::Escape: {
            // libvterm 0.1 starts a CSI, OSC or DCS here even after intermediates ("ESC ( ["); from
            // 0.3 those bytes end the escape sequence there, as ECMA-35 has it (VTermCompat.h).
            const bool introducer = escIntermediates_ == 0 || vterm_compat::kIntroducersAfterIntermediates;
            if (c == '[' && introducer) {
                state_ = State::CsiLeader;
                csi_.clear();
                csiArgs_ = 1;
                csiPlain_ = true;
            } else if (((c == ']' || c == 'P') && introducer) ||
                       (escIntermediates_ == 0 && (c == '_' || c == '^' || c == 'X'))) {
                // OSC and DCS, APC, PM, SOS.
                dropUpTo(i + 1);
                beginString(char(c));
            } else if (c >= 0x80) {
                // libvterm ignores it and stays in the escape sequence ("ESC 0xB4 ]" is an OSC).
                holdUpTo(i);
                passStart = seqStart = i + 1;
            } else if (c < 0x30) {
                if (escIntermediates_++ == 0) // ECMA-48 §5.3: a designation such as ESC ( B follows
                    escIntermediate_ = char(c);
            } else {
                // The final byte: a C1 control in 7-bit form (0x40–0x5f, no intermediates) or an
                // escape sequence such as a designation, DECKPAM or RIS.
                state_ = State::Ground;
                if (overflow_) {
                    dropUpTo(i + 1);
                    break;
                }
                release();
                noteEscape(char(c));
                if (escIntermediates_ == 0 && c == '8') { // DECRC
                    flush(i + 1);
                    sink_.cursorRestored();
                }
                if (escIntermediates_ == 0 && (c == '=' || c == '>' || c == 'c')) {
                    flush(i + 1);
                    if (c == 'c') {
                        reset();
                        sink_.fullReset();
                    } else {
                        modes_.applicationKeypad = (c == '=');
                    }
                    sink_.scannerStateChanged();
                }
            }
            ++i;
            break;
        }

        case State::CsiLeader:
            if (c >= 0x3c && c <= 0x3f) { // private markers such as '?' and '>'
                addCsiMarker(char(c));
                ++i;
                break;
            }
            state_ = State::CsiParam;
            [[fallthrough]];
        case State::CsiParam: {
            // The bulk of a CSI, in a tight loop. libvterm counts an argument per ';' or ':'
            // with no bound, which is the overrun this scanner exists to prevent.
            std::size_t end = i;
            int separators = 0;
            while (end < length) {
                const unsigned char b = static_cast<unsigned char>(bytes[end]);
                if (unsigned(b - '0') > 9u && b != ';' && b != ':')
                    break;
                separators += (b == ';') | (b == ':');
                ++end;
            }
            if (end > i) {
                const std::size_t take = std::min(end - i, kMaxCsiBytes - std::min(csi_.size(), kMaxCsiBytes));
                csi_.append(bytes + i, take);
                overflow_ |= take < end - i;
                csiArgs_ += separators;
                i = end;
            }
            if (i == length)
                break;
            c = static_cast<unsigned char>(bytes[i]);
            if (c < 0x20 || c == DEL)
                break; // a control: handled above, the CSI goes on in this state
            state_ = State::CsiIntermediate;
            [[fallthrough]];
        }
        case State::CsiIntermediate:
            if (c >= 0x20 && c <= 0x2f) {
                addCsiMarker(char(c));
                ++i;
                break;
            }
            state_ = State::Ground;
            ++i;
            if (c < 0x40 || c > 0x7e) {
                // Not a final byte (a parameter after an intermediate, a leader after a
                // parameter, a byte from 0x80 up): libvterm abandons the CSI unperformed.
                dropUpTo(i);
                break;
            }
            dispatchCsi(char(c), i);
            break;

        case State::Ground:
        case State::String:
        case State::StringEscape:
            break; // handled before the switch
        }
    }

    switch (state_) {
    case State::Ground:
        flush(length);
        break;
    case State::Escape:
    case State::CsiLeader:
    case State::CsiParam:
    case State::CsiIntermediate:
        // Hold the incomplete sequence for the next write (bounded; an overlong one is dropped
        // when it ends).
        flush(seqStart);
        hold(bytes + seqStart, length - seqStart);
        passStart = length;
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
    if (final == 'h' || final == 'l')
        noteTextModes(final);
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
        underlineColour_ = Color{};
        if (libvtermPerformsSoftReset())
            text_ = TextState{};
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
    sgrUnderlineColour_ = false;
    if (csi_.empty()) {
        faint_ = invisible_ = false;
        underlineColour_ = Color{};
        return;
    }
    // Most SGRs (colours, bold, resets) cannot change what is tracked here: without a '2', '8'
    // or '5' only a reset could, and with everything already off it changes nothing.
    if (!faint_ && !invisible_ && underlineColour_ == Color{} && csi_.find_first_of("258") == std::string::npos)
        return;
    if (csi_.find_first_not_of("0123456789;:") != std::string::npos)
        return; // a private or intermediate byte: not plain SGR
    forEachSgrGroup(csi_, [&](std::string_view group) {
        switch (sgrNumber(group)) {
        case 0:
            faint_ = invisible_ = false;
            underlineColour_ = Color{};
            break;
        case 2: faint_ = true; break;
        case 22: faint_ = false; break;
        case 8: invisible_ = true; break;
        case 28: invisible_ = false; break;
        case 58:
            sgrUnderlineColour_ = true;
            if (const auto colour = underlineColourOf(group))
                underlineColour_ = *colour;
            break;
        case 59:
            sgrUnderlineColour_ = true;
            underlineColour_ = Color{};
            break;
        default: break;
        }
    });
}

} // namespace portal::terminal
