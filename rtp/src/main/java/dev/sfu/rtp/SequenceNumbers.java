package dev.sfu.rtp;

/**
 * RTP's 16-bit sequence numbers and 32-bit timestamps wrap; these compare them the way RFC 3550
 * (appendix A.1) and RFC 3711 (appendix A) do: the shorter way around the circle wins.
 */
public final class SequenceNumbers {
    private SequenceNumbers() {
    }

    /** Signed distance from {@code a} to {@code b} in 16-bit sequence space (-32768..32767). */
    public static int diff16(int a, int b) {
        return (short) (b - a);
    }

    /** Whether {@code b} comes after {@code a} (16-bit, with wrap). */
    public static boolean isNewer16(int a, int b) {
        return diff16(a, b) > 0;
    }

    /** Signed distance from {@code a} to {@code b} in 32-bit timestamp space. */
    public static long diff32(int a, int b) {
        return b - a; // int arithmetic wraps exactly as the timestamps do
    }

    public static boolean isNewer32(int a, int b) {
        return b - a > 0;
    }

    /**
     * Turns a stream of 16-bit sequence numbers into a monotone 64-bit index (the extended sequence
     * number of RFC 3550 A.1), each value placed nearest to the highest seen so far.
     */
    public static final class Unwrapper {
        private long highest = -1;

        public long unwrap(int sequence) {
            sequence &= 0xffff;
            if (highest < 0) {
                highest = sequence;
                return sequence;
            }
            long candidate = (highest & ~0xffffL) | sequence;
            if (candidate - highest > 32768) {
                candidate -= 65536;
            } else if (highest - candidate > 32768) {
                candidate += 65536;
            }
            if (candidate > highest) {
                highest = candidate;
            }
            return candidate;
        }

        /** The highest index so far, -1 before the first. */
        public long highest() {
            return highest;
        }
    }
}
