package dev.sfu.rtp;

import java.nio.charset.StandardCharsets;

/**
 * The SDES-item header extensions: {@code sdes:mid} (RFC 8843), {@code sdes:rtp-stream-id} and
 * {@code sdes:repaired-rtp-stream-id} (RFC 8852). Their value is a short ASCII string.
 */
public final class SdesItemExtension {
    private SdesItemExtension() {
    }

    /**
     * Reads the element's value as a string. Allocates: meant for the first packet of a new SSRC, when
     * the SFU binds it to a track.
     *
     * @return the value, or null when the packet lacks the element
     */
    public static String read(RtpPacket packet, int id) {
        long position = packet.findExtension(id);
        if (position < 0) {
            return null;
        }
        int at = RtpPacket.elementOffset(position);
        int len = RtpPacket.elementLength(position);
        // Senders may pad the value with NUL bytes to a word boundary.
        while (len > 0 && packet.buffer()[at + len - 1] == 0) {
            len--;
        }
        return new String(packet.buffer(), at, len, StandardCharsets.US_ASCII);
    }

    /** Compares the element's value with known bytes without allocating. */
    public static boolean equals(RtpPacket packet, int id, byte[] expected) {
        long position = packet.findExtension(id);
        if (position < 0) {
            return false;
        }
        int at = RtpPacket.elementOffset(position);
        int len = RtpPacket.elementLength(position);
        while (len > 0 && packet.buffer()[at + len - 1] == 0) {
            len--;
        }
        if (len != expected.length) {
            return false;
        }
        for (int i = 0; i < len; i++) {
            if (packet.buffer()[at + i] != expected[i]) {
                return false;
            }
        }
        return true;
    }
}
