package dev.sfu.dtls.srtp;

/**
 * A sliding replay window of 128 packet indexes (RFC 3711 §3.3.2): an index is accepted once, and only
 * if it is newer than the window or inside it and not seen yet.
 */
final class ReplayWindow {
    static final int SIZE = 128;

    private long top = -1;
    private long low;  // bit i: index top - i was seen (i < 64)
    private long high; // bit i: index top - 64 - i was seen

    boolean isReplay(long index) {
        if (top < 0 || index > top) {
            return false;
        }
        long behind = top - index;
        if (behind >= SIZE) {
            return true; // too old to tell apart from a replay
        }
        return behind < 64 ? (low & (1L << behind)) != 0 : (high & (1L << (behind - 64))) != 0;
    }

    /** Records an authenticated index. */
    void accept(long index) {
        if (top < 0) {
            top = index;
            low = 1L;
            return;
        }
        if (index > top) {
            long shift = index - top;
            if (shift >= SIZE) {
                low = 0;
                high = 0;
            } else if (shift >= 64) {
                high = low << (shift - 64);
                low = 0;
            } else {
                high = (high << shift) | (low >>> (64 - shift));
                low = low << shift;
            }
            low |= 1L;
            top = index;
            return;
        }
        long behind = top - index;
        if (behind < 64) {
            low |= 1L << behind;
        } else if (behind < SIZE) {
            high |= 1L << (behind - 64);
        }
    }
}
