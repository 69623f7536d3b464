package dev.sfu.rtp.rtcp;

/**
 * Transport-wide congestion control feedback (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1):
 * an RTPFB (PT 205) with FMT 15 telling the sender when each transport-wide sequence number arrived,
 * from which its bandwidth estimator (Google Congestion Control) ramps up or backs off.
 *
 * <pre>
 * |V=2|P|  FMT=15 |    PT=205     |           length              |
 * |                     SSRC of packet sender                     |
 * |                      SSRC of media source                     |
 * |      base sequence number     |      packet status count      |
 * |                 reference time                | fb pkt. count |
 * |          packet chunk         |         packet chunk          |  ...
 * |  recv delta   |  recv delta   | ...                           |  (1 or 2 bytes each)
 * </pre>
 * The writer picks, packet by packet, the smallest chunk that fits as libwebrtc does: a run-length chunk
 * for a run of one status at least as long as a vector chunk holds, a one-bit status vector (fourteen
 * packets) when none of them needs a two-byte delta, else a two-bit status vector (seven). Deltas are in
 * 250 µs units, one byte when 0..255, else two (signed).
 */
public final class TransportCcFeedback {
    public static final int FMT = 15;
    /** Arrival value meaning "not received". */
    public static final long NOT_RECEIVED = -1;
    private static final int SYMBOL_NOT_RECEIVED = 0;
    private static final int SYMBOL_SMALL_DELTA = 1;
    private static final int SYMBOL_LARGE_DELTA = 2;
    private static final long DELTA_UNIT_MICROS = 250;
    private static final long REFERENCE_UNIT_MICROS = 64_000;
    private static final int MAX_RUN = 0x1fff;

    private TransportCcFeedback() {
    }

    /**
     * Writes a feedback packet for {@code count} consecutive sequence numbers from {@code baseSequence}.
     *
     * @param arrivalMicros arrival time of each (monotonic microseconds), {@link #NOT_RECEIVED} for a loss;
     *     the first one must have been received
     * @return the packet's length, or -1 when it does not fit {@code buf} (send fewer packets per feedback)
     */
    public static int write(byte[] buf, int off, int senderSsrc, int mediaSsrc, int baseSequence, long[] arrivalMicros,
            int count, int feedbackCount) {
        if (count <= 0 || count > 0xffff || arrivalMicros[0] == NOT_RECEIVED) {
            return -1;
        }
        int chunks = (count + 6) / 7;
        int worstCase = 20 + 2 * chunks + 2 * count + 3;
        if (off < 0 || off + worstCase > buf.length) {
            return -1;
        }
        long referenceTime = Math.floorDiv(arrivalMicros[0], REFERENCE_UNIT_MICROS);
        buf[off + 1] = (byte) RtcpPacketType.RTPFB;
        RtcpCompoundIterator.writeInt(buf, off + 4, senderSsrc);
        RtcpCompoundIterator.writeInt(buf, off + 8, mediaSsrc);
        buf[off + 12] = (byte) (baseSequence >> 8);
        buf[off + 13] = (byte) baseSequence;
        buf[off + 14] = (byte) (count >> 8);
        buf[off + 15] = (byte) count;
        buf[off + 16] = (byte) (referenceTime >> 16);
        buf[off + 17] = (byte) (referenceTime >> 8);
        buf[off + 18] = (byte) referenceTime;
        buf[off + 19] = (byte) feedbackCount;

        // Pass 1: each packet's symbol, parked at the end of the worst-case room (which the deltas
        // reach only after the chunks are written, in pass 3).
        int symbolsAt = off + worstCase - count;
        long previous = referenceTime * REFERENCE_UNIT_MICROS;
        for (int i = 0; i < count; i++) {
            int symbol = SYMBOL_NOT_RECEIVED;
            if (arrivalMicros[i] != NOT_RECEIVED) {
                long delta = deltaUnits(arrivalMicros[i], previous);
                symbol = delta >= 0 && delta <= 255 ? SYMBOL_SMALL_DELTA : SYMBOL_LARGE_DELTA;
                previous += delta * DELTA_UNIT_MICROS;
            }
            buf[symbolsAt + i] = (byte) symbol;
        }
        // Pass 2: the chunks.
        int chunkAt = off + 20;
        for (int i = 0; i < count; ) {
            int symbol = buf[symbolsAt + i];
            int run = 1;
            while (i + run < count && run < MAX_RUN && buf[symbolsAt + i + run] == symbol) {
                run++;
            }
            int window = Math.min(14, count - i);
            boolean oneBit = true;
            for (int k = 0; k < window; k++) {
                oneBit &= buf[symbolsAt + i + k] != SYMBOL_LARGE_DELTA;
            }
            int value;
            if (run >= (oneBit ? 14 : 7)) {
                value = (symbol << 13) | run; // run length chunk: 0 | symbol | run length
                i += run;
            } else if (oneBit) {
                value = 0x8000; // one-bit status vector: 1 | 0 | fourteen symbols
                for (int k = 0; k < window; k++) {
                    value |= buf[symbolsAt + i + k] << (13 - k);
                }
                i += window;
            } else {
                value = 0xC000; // two-bit status vector: 1 | 1 | seven symbols
                int n = Math.min(7, count - i);
                for (int k = 0; k < n; k++) {
                    value |= buf[symbolsAt + i + k] << (2 * (6 - k));
                }
                i += n;
            }
            buf[chunkAt++] = (byte) (value >> 8);
            buf[chunkAt++] = (byte) value;
        }
        // Pass 3: the deltas, after the chunks.
        int deltaAt = chunkAt;
        previous = referenceTime * REFERENCE_UNIT_MICROS;
        for (int i = 0; i < count; i++) {
            if (arrivalMicros[i] == NOT_RECEIVED) {
                continue;
            }
            long delta = deltaUnits(arrivalMicros[i], previous);
            if (delta >= 0 && delta <= 255) {
                buf[deltaAt++] = (byte) delta;
            } else {
                buf[deltaAt++] = (byte) (delta >> 8);
                buf[deltaAt++] = (byte) delta;
            }
            previous += delta * DELTA_UNIT_MICROS;
        }
        int length = deltaAt - off;
        int padding = (4 - (length & 3)) & 3;
        for (int i = 0; i < padding; i++) {
            buf[deltaAt++] = 0;
        }
        if (padding > 0) {
            buf[deltaAt - 1] = (byte) padding; // RFC 3550: the last padding byte counts the padding
        }
        length += padding;
        buf[off] = (byte) (0x80 | (padding > 0 ? 0x20 : 0) | FMT);
        int words = length / 4 - 1;
        buf[off + 2] = (byte) (words >> 8);
        buf[off + 3] = (byte) words;
        return length;
    }

    /** The receive delta in 250 µs units, rounded to nearest and clamped to what two bytes hold. */
    private static long deltaUnits(long arrival, long previous) {
        long delta = Math.floorDiv(arrival - previous + DELTA_UNIT_MICROS / 2, DELTA_UNIT_MICROS);
        return Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, delta));
    }

    /**
     * Reads a feedback packet (any chunk kinds) into per-packet arrival times.
     *
     * @param arrivalMicros filled for each of the packet status count entries: arrival in microseconds
     *     on the sender-independent reference clock, or {@link #NOT_RECEIVED}
     * @return the packet status count, or -1 when the packet is malformed or the array too small
     */
    public static int parse(byte[] buf, int off, int len, long[] arrivalMicros) {
        if (len < 20 || (buf[off] & 0x1f) != FMT || (buf[off + 1] & 0xff) != RtcpPacketType.RTPFB) {
            return -1;
        }
        int count = ((buf[off + 14] & 0xff) << 8) | (buf[off + 15] & 0xff);
        if (count > arrivalMicros.length) {
            return -1;
        }
        long reference = ((buf[off + 16] & 0xffL) << 16) | ((buf[off + 17] & 0xffL) << 8) | (buf[off + 18] & 0xffL);
        if ((reference & 0x800000) != 0) {
            reference -= 0x1000000; // 24-bit signed
        }
        int end = off + len;
        int at = off + 20;
        // First pass: the symbols, kept in the output array until the deltas replace them.
        long[] symbols = arrivalMicros;
        int filled = 0;
        while (filled < count) {
            if (at + 2 > end) {
                return -1;
            }
            int chunk = ((buf[at] & 0xff) << 8) | (buf[at + 1] & 0xff);
            at += 2;
            if ((chunk & 0x8000) == 0) {
                int symbol = (chunk >> 13) & 3;
                int run = chunk & 0x1fff;
                for (int i = 0; i < run && filled < count; i++) {
                    symbols[filled++] = symbol;
                }
            } else if ((chunk & 0x4000) == 0) {
                for (int i = 13; i >= 0 && filled < count; i--) {
                    symbols[filled++] = (chunk >> i) & 1;
                }
            } else {
                for (int i = 6; i >= 0 && filled < count; i--) {
                    symbols[filled++] = (chunk >> (2 * i)) & 3;
                }
            }
        }
        long time = reference * REFERENCE_UNIT_MICROS;
        for (int i = 0; i < count; i++) {
            long symbol = symbols[i];
            if (symbol == SYMBOL_NOT_RECEIVED) {
                arrivalMicros[i] = NOT_RECEIVED;
                continue;
            }
            long delta;
            if (symbol == SYMBOL_SMALL_DELTA) {
                if (at + 1 > end) {
                    return -1;
                }
                delta = buf[at++] & 0xff;
            } else if (symbol == SYMBOL_LARGE_DELTA) {
                if (at + 2 > end) {
                    return -1;
                }
                delta = (short) (((buf[at] & 0xff) << 8) | (buf[at + 1] & 0xff));
                at += 2;
            } else {
                return -1;
            }
            time += delta * DELTA_UNIT_MICROS;
            arrivalMicros[i] = time;
        }
        return count;
    }
}
