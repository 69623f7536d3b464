package dev.sfu.dtls.srtp;

/**
 * What SRTP keeps per SSRC and direction: the rollover counter and highest sequence number (RFC 3711
 * §3.3.1, appendix A), a 128-packet replay window (§3.3.2), and the SRTCP index.
 */
final class SrtpStreamState {
    static final int REPLAY_WINDOW = 128;

    final int ssrc;
    boolean initialized;
    int roc;
    int highestSequence;
    final ReplayWindow rtpReplay = new ReplayWindow();
    final ReplayWindow rtcpReplay = new ReplayWindow();
    /** Sender: the next SRTCP index (31 bits). */
    int srtcpIndex;
    /** Receiver: when the stream last had a packet, in its context's use count (least recently used goes first). */
    long lastUsed;

    SrtpStreamState(int ssrc) {
        this.ssrc = ssrc;
    }

    /** The packet index a receiver estimates for a sequence number (RFC 3711 appendix A). */
    long estimateIndex(int sequence) {
        if (!initialized) {
            return sequence;
        }
        long v;
        if (highestSequence < 32768) {
            v = sequence - highestSequence > 32768 ? roc - 1L : roc;
        } else {
            v = highestSequence - 32768 > sequence ? roc + 1L : roc;
        }
        return (Math.max(0, v) << 16) | sequence;
    }

    /** After authentication: advance ROC and highest sequence number. */
    void update(long index) {
        int v = (int) (index >>> 16);
        int sequence = (int) (index & 0xffff);
        if (!initialized) {
            initialized = true;
            roc = v;
            highestSequence = sequence;
        } else if (v == roc + 1 || (v == roc && sequence > highestSequence)) {
            roc = v;
            highestSequence = sequence;
        }
    }

    /** The index a sender uses for a sequence number, advancing ROC on a wrap. */
    long senderIndex(int sequence) {
        if (!initialized) {
            initialized = true;
            highestSequence = sequence;
        } else if (sequence < highestSequence && highestSequence - sequence > 32768) {
            roc++;
            highestSequence = sequence;
        } else if (sequence > highestSequence && sequence - highestSequence < 32768) {
            highestSequence = sequence;
        }
        // A packet just before a wrap (sent late) still belongs to the previous rollover.
        long v = (sequence > highestSequence && sequence - highestSequence > 32768) ? roc - 1L : roc;
        return (Math.max(0, v) << 16) | sequence;
    }
}
