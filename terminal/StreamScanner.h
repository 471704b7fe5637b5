// Watches the byte stream on its way into libvterm. It cuts out control strings (ECMA-48 §5.6:
// OSC, DCS, APC, PM, SOS) because libvterm 0.1 loses the part of a string that arrives in an
// earlier write, does not bound OSC length, and formats its reply to an unknown DECRQSS with a
// mismatched printf argument (harmless in glibc, a crash under AddressSanitizer). OSC goes to
// the sink; only the DECRQSS requests libvterm answers correctly are passed on whole; the rest
// is dropped. CSIs are held until complete and checked, because libvterm 0.1 writes past its
// argument array when a CSI has more than 16 arguments.
//
// To know where libvterm's sequences begin and end, the scanner runs the same state machine as
// libvterm 0.1.4's parser (src/parser.c, vterm_input_write): Ground, Escape (with its
// intermediates), CsiLeader, CsiParam, CsiIntermediate, with the same treatment of C0
// controls, NUL/DEL, CAN/SUB and ESC in every state. libvterm only ever receives whole
// sequences, so its parser is back in its ground state after every write we make.
//
// It also mirrors the state libvterm 0.1 keeps private but the view needs: the input modes
// (TerminalModes), SGR 2/22 (faint) and 8/28 (invisible), which 0.1 ignores, and SGR 58/59
// (underline colour), which 0.1 does not know.
#pragma once

#include "Cell.h"
#include "TerminalModes.h"

#include <cstddef>
#include <string>
#include <string_view>

namespace portal::terminal {

class StreamScanner {
public:
    class Sink {
    public:
        // Bytes for libvterm, in order.
        virtual void passThrough(const char* bytes, std::size_t length) = 0;
        // A complete OSC payload (between "ESC ]" and BEL/ST). Payloads longer than the cap
        // are dropped whole, never truncated into something that means something else.
        virtual void operatingSystemCommand(std::string_view payload) = 0;
        // Called after the bytes before the change have been passed through.
        virtual void scannerStateChanged() = 0;
        // REP (CSI Ps b, ECMA-48 §8.3.103): repeat the preceding graphic character.
        virtual void repeatPrecedingCharacter(long count) = 0;
        // RIS (ESC c, ECMA-48 §8.3.105), after libvterm has reset its own state.
        virtual void fullReset() = 0;
        // After a sequence with which libvterm may have restored a saved cursor (DECRC, ESC 8;
        // DECRST 1048 or 1049), passed through with everything before it.
        virtual void cursorRestored() = 0;
        // ED 3 (CSI 3 J, xterm's "erase saved lines"), after everything before it: the
        // scrollback is to be emptied. `clear` sends it where terminfo has E3.
        virtual void scrollbackErased() = 0;
        // The rest of a run of printable ASCII whose first byte has just been passed through,
        // while plainText() holds (see setTextRuns). The sink may place them itself.
        virtual void printableText(const char* bytes, std::size_t length) { passThrough(bytes, length); }

    protected:
        ~Sink() = default;
    };

    explicit StreamScanner(Sink& sink) : sink_(sink) { csi_.reserve(256); }

    void setMaxOscBytes(std::size_t bytes) { maxOscBytes_ = bytes; }
    // REP never reaches libvterm 0.1, which loops forever when the preceding glyph has no
    // width; the sink repeats the character instead, at most this many times (more than a
    // screenful only turns seven bytes into unbounded work).
    // Margins (DECSTBM, DECSLRM) are clamped to the screen: libvterm 0.1 accepts margins
    // beyond it and then moves memory with a negative size when scrolling.
    void setScreenSize(int rows, int columns) {
        rows_ = rows;
        columns_ = columns;
        maxRepeat_ = long(rows) * columns;
    }
    void feed(const char* bytes, std::size_t length);
    // Runs of at least kMinTextRun printable ASCII bytes (0x20–0x7e) met in the ground state
    // while plainText() holds, and not followed by UTF-8 in the same write, go to the sink as
    // the run's first byte (passed through) and the rest (printableText), so that the sink can
    // write them without a callback per character.
    static constexpr std::size_t kMinTextRun = 8;
    void setTextRuns(bool on) { textRuns_ = on; }
    // Whether libvterm writes printable ASCII as itself, overwriting: the character set in GL
    // (SO/SI, LS2/LS3) is designated ASCII (ESC ( B and the like, or a reset), and neither IRM
    // (insert, CSI 4 h) nor DECOM (origin, CSI ? 6 h) is set. Kept on the safe side: a
    // designation or mode this does not model counts as not plain until a reset (RIS, or DECSTR
    // where libvterm performs it).
    bool plainText() const { return ((text_.asciiSets >> text_.gl) & 1) != 0 && !text_.insert && !text_.origin; }
    // RIS or a hard reset from outside: modes and pen extras back to power-on values.
    void reset();
    // Whether the libvterm built against performs DECSTR (soft reset) at all; plainText() holds
    // again after a DECSTR exactly when it does.
    static bool libvtermPerformsSoftReset();

    // alternateScreen is always false here: libvterm reports it to the emulator.
    const TerminalModes& modes() const { return modes_; }
    bool faint() const { return faint_; }
    bool invisible() const { return invisible_; }
    // SGR 58 / 59 (underline colour), which libvterm 0.1 does not know: taken out of the SGR
    // before libvterm sees it. Default when unset.
    Color underlineColour() const { return underlineColour_; }
    // Whether the control string just handed to the sink ended with BEL rather than ST
    // (replies to OSC queries end the way the query did, as xterm's do).
    bool stringEndedWithBel() const { return stringEndedWithBel_; }

private:
    // libvterm 0.1.4's parser states (NORMAL, ESC, CSI_LEADER, CSI_ARGS, CSI_INTERMED), and
    // ours for the control strings libvterm never sees (its OSC/DCS states stay unused).
    enum class State : unsigned char {
        Ground,
        Escape,          // after ESC, gathering intermediates (0x20–0x2f)
        CsiLeader,       // after ESC [, gathering private markers (0x3c–0x3f)
        CsiParam,        // digits, ';' and ':'
        CsiIntermediate, // 0x20–0x2f before the final byte
        String,          // a control string's payload (ours)
        StringEscape,    // ESC inside a control string: ST or the start of a new sequence
    };
    enum class StringKind { Osc, Dcs, Ignored };
    void hold(const char* bytes, std::size_t length);
    void addCsiMarker(char c);
    bool concernsScanner(char final) const;
    void beginString(char introducer);
    void finishString();
    void finishCsi(char final);
    void applyDecMode(int mode, bool set);
    void applySgr();
    void noteControl(unsigned char c);
    void noteEscape(char final);
    void noteTextModes(char final);

    // What libvterm 0.1.4's state layer does to text (src/state.c: on_escape's SCS, LS2, LS3,
    // on_control's SO, SI, set_mode, set_dec_mode, vterm_state_reset).
    struct TextState {
        unsigned char asciiSets = 0xF; // bit n: Gn is ASCII (or UTF-8, which is ASCII there)
        unsigned char gl = 0;          // the set invoked into GL
        bool insert = false;
        bool origin = false;
    };

    Sink& sink_;
    State state_ = State::Ground;
    // Raw bytes of the pending escape sequence or CSI that were not passed on with their write:
    // it began in an earlier write, or a control inside it was executed on its own.
    std::string held_;
    bool overflow_ = false;  // the pending sequence outgrew its bounds: dropped when it ends
    int escIntermediates_ = 0;
    char escIntermediate_ = 0; // the first intermediate byte (SCS: '(' ')' '*' '+')
    std::string csi_;        // leader, parameter and intermediate bytes of the CSI being read
    int csiArgs_ = 1;        // arguments in csi_ as libvterm counts them (every ';' and ':')
    bool csiPlain_ = true;   // no leader and no intermediate: an ECMA-48 sequence proper
    StringKind stringKind_ = StringKind::Ignored;
    std::string string_; // payload of the control string being read
    bool stringOverflow_ = false;
    bool stringEndedWithBel_ = false;
    std::size_t maxOscBytes_ = 4096;
    long maxRepeat_ = 80 * 24;
    int rows_ = 24;
    int columns_ = 80;
    TerminalModes modes_;
    bool faint_ = false;
    bool invisible_ = false;
    Color underlineColour_;
    bool sgrUnderlineColour_ = false; // the SGR being dispatched has a 58 or 59 group
    TextState text_;
    bool textRuns_ = false;
};

} // namespace portal::terminal
