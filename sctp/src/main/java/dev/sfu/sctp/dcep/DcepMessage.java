package dev.sfu.sctp.dcep;

import dev.sfu.sctp.chunk.Bytes;
import java.nio.charset.StandardCharsets;

/**
 * The Data Channel Establishment Protocol messages (RFC 8832 §5), sent with PPID 50 on the channel's stream:
 * DATA_CHANNEL_OPEN and DATA_CHANNEL_ACK. Also the PPIDs of RFC 8831 §8 for user messages.
 */
public final class DcepMessage {
    private DcepMessage() {}

    public static final int PPID_DCEP = 50;
    public static final int PPID_STRING = 51;
    /** Deprecated partial (fragmented by the application) binary; refused. */
    public static final int PPID_BINARY_PARTIAL = 52;
    public static final int PPID_BINARY = 53;
    /** Deprecated partial string; refused. */
    public static final int PPID_STRING_PARTIAL = 54;
    public static final int PPID_STRING_EMPTY = 56;
    public static final int PPID_BINARY_EMPTY = 57;

    public static final int TYPE_ACK = 0x02;
    public static final int TYPE_OPEN = 0x03;
    /** Message type, channel type, priority, reliability parameter, label length, protocol length. */
    public static final int OPEN_FIXED = 12;

    /** DATA_CHANNEL_OPEN (§5.1). */
    public record Open(ChannelType channelType, int priority, long reliabilityParameter, String label,
            String protocol) {
        public byte[] encode() {
            byte[] l = label.getBytes(StandardCharsets.UTF_8);
            byte[] p = protocol.getBytes(StandardCharsets.UTF_8);
            if (l.length > 0xFFFF || p.length > 0xFFFF) {
                throw new IllegalArgumentException("label or protocol over 65535 bytes");
            }
            byte[] b = new byte[OPEN_FIXED + l.length + p.length];
            b[0] = TYPE_OPEN;
            b[1] = (byte) channelType.code;
            Bytes.put16(b, 2, priority);
            Bytes.put32(b, 4, (int) reliabilityParameter);
            Bytes.put16(b, 8, l.length);
            Bytes.put16(b, 10, p.length);
            System.arraycopy(l, 0, b, OPEN_FIXED, l.length);
            System.arraycopy(p, 0, b, OPEN_FIXED + l.length, p.length);
            return b;
        }
    }

    public static byte[] ack() {
        return new byte[] {TYPE_ACK};
    }

    /** The message type, or -1 for an empty message. */
    public static int type(byte[] b, int off, int len) {
        return len < 1 ? -1 : b[off] & 0xFF;
    }

    public static boolean isAck(byte[] b, int off, int len) {
        return len >= 1 && (b[off] & 0xFF) == TYPE_ACK;
    }

    /** A DATA_CHANNEL_OPEN, or null if it is not one or does not fit its lengths (never throws). */
    public static Open parseOpen(byte[] b, int off, int len) {
        if (len < OPEN_FIXED || (b[off] & 0xFF) != TYPE_OPEN) {
            return null;
        }
        ChannelType t = ChannelType.of(b[off + 1] & 0xFF);
        int labelLen = Bytes.u16(b, off + 8);
        int protoLen = Bytes.u16(b, off + 10);
        if (t == null || OPEN_FIXED + labelLen + protoLen > len) {
            return null;
        }
        String label = new String(b, off + OPEN_FIXED, labelLen, StandardCharsets.UTF_8);
        String protocol = new String(b, off + OPEN_FIXED + labelLen, protoLen, StandardCharsets.UTF_8);
        return new Open(t, Bytes.u16(b, off + 2), Bytes.u32(b, off + 4), label, protocol);
    }
}
