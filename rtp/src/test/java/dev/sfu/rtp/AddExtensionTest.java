package dev.sfu.rtp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** {@link RtpPacket#addExtension}: the header extension layouts of RFC 8285 §4.2 and §4.3, written out by hand. */
class AddExtensionTest {
    private static final HexFormat HEX = HexFormat.of();
    private final RtpPacket packet = new RtpPacket();

    /** Copies a packet into a larger buffer at {@code at}, the slack filled with 0x55 to catch stray writes. */
    private static byte[] room(String hex, int at, int capacity) {
        byte[] p = HEX.parseHex(hex);
        byte[] buf = new byte[capacity];
        Arrays.fill(buf, (byte) 0x55);
        System.arraycopy(p, 0, buf, at, p.length);
        return buf;
    }

    private int add(byte[] buf, int at, int len, int id, String data) {
        assertTrue(packet.wrap(buf, at, len));
        byte[] d = HEX.parseHex(data);
        return packet.addExtension(id, d, 0, d.length);
    }

    @Test
    void createsAOneByteBlock() {
        byte[] buf = room("8060" + "0001" + "00000001" + "00000002" + "aabbcc", 3, 40);
        int n = add(buf, 3, 15, 3, "0102");
        assertEquals(23, n);
        assertEquals("9060000100000001" + "00000002" + "bede0001" + "310102" + "00" + "aabbcc",
                HEX.formatHex(buf, 3, 3 + n));
        assertEquals(0x55, buf[3 + n] & 0xff, "nothing written past the packet");
        assertEquals(0x55, buf[2] & 0xff);
        assertEquals(3, packet.payloadLength());
        assertEquals(2, RtpPacket.elementLength(packet.findExtension(3)));
    }

    @Test
    void createsATwoByteBlockAfterCsrcsAndKeepsRtpPadding() {
        // P=1 CC=1, payload "aa" then 3 bytes of padding; id 20 needs the two-byte form (RFC 8285 §4.3).
        byte[] buf = room("a1" + "60" + "0001" + "00000001" + "00000002" + "0000000a" + "aa" + "000003", 0, 64);
        int n = add(buf, 0, 20, 20, "616263");
        assertEquals(32, n);
        assertEquals("b160000100000001000000020000000a" + "10000002" + "1403616263" + "000000" + "aa000003",
                HEX.formatHex(buf, 0, n));
        assertEquals(1, packet.payloadLength());
        assertEquals(3, packet.paddingLength());
        assertEquals(3, RtpPacket.elementLength(packet.findExtension(20)));
    }

    @Test
    void appendsToAOneByteBlockInItsPaddingOrByGrowingIt() {
        byte[] buf = Arrays.copyOf(RtpPacketTest.CHROME_VP8, 64);
        int len = RtpPacketTest.CHROME_VP8.length;
        // 9 bytes used, 3 of padding: a 2-byte element fits without moving the payload.
        assertEquals(len, add(buf, 0, len, 5, "78"));
        assertEquals("90e0123400015f90deadbeef" + "bede0003" + "22abcdef" + "310102" + "4031" + "5078" + "00"
                + "90000102030405", HEX.formatHex(buf, 0, len));
        // 11 used: 5 more need one more word, exactly.
        int n = packet.addExtension(6, HEX.parseHex("01020304"), 0, 4);
        assertEquals(len + 4, n);
        assertEquals("90e0123400015f90deadbeef" + "bede0004" + "22abcdef" + "310102" + "4031" + "5078"
                + "6301020304" + "90000102030405", HEX.formatHex(buf, 0, n));
        assertEquals("1", SdesItemExtension.read(packet, 4));
        assertEquals(7, packet.payloadLength());
    }

    @Test
    void convertsAOneByteBlockToTheTwoByteForm() {
        byte[] buf = Arrays.copyOf(RtpPacketTest.CHROME_VP8, 64);
        int len = RtpPacketTest.CHROME_VP8.length;
        int n = add(buf, 0, len, 20, "616263"); // id 20: beyond the one-byte form's 14
        assertEquals(len + 8, n);
        assertEquals("90e0123400015f90deadbeef" + "10000005" + "0203abcdef" + "03020102" + "040131" + "1403616263"
                + "000000" + "90000102030405", HEX.formatHex(buf, 0, n));
        assertEquals(0xabcdef, HeaderExtensions.absSendTime(buf, RtpPacket.elementOffset(packet.findExtension(2)), 3));
        assertEquals("1", SdesItemExtension.read(packet, 4));
        assertEquals("abc", SdesItemExtension.read(packet, 20));
    }

    @Test
    void conversionDropsPaddingBetweenElementsAndAcceptsEmptyValues() {
        byte[] buf = room("9060" + "0001" + "00000001" + "00000002" + "bede0002" + "10aa" + "0000" + "224c0000" + "ff", 0, 64);
        int n = add(buf, 0, 25, 7, ""); // a 0-byte value: only the two-byte form has it
        assertEquals(29, n, "one word more: 3 in all");
        assertEquals("906000010000000100000002" + "10000003" + "0101aa" + "02034c0000" + "0700" + "0000" + "ff",
                HEX.formatHex(buf, 0, n));
        assertEquals(0, RtpPacket.elementLength(packet.findExtension(7)));
    }

    @Test
    void appendsToATwoByteBlock() {
        byte[] buf = room("9060" + "0001" + "00000001" + "00000002" + "10000001" + "0501" + "41" + "00" + "bb", 0, 40);
        int n = add(buf, 0, 21, 200, "4243");
        assertEquals(25, n);
        assertEquals("906000010000000100000002" + "10000002" + "050141" + "c8024243" + "00" + "bb",
                HEX.formatHex(buf, 0, n));
    }

    @Test
    void refusesWithoutChangingAnything() {
        byte[] exact = RtpPacketTest.CHROME_VP8.clone();
        int len = exact.length;
        byte[] copy = exact.clone();
        assertEquals(-1, add(exact, 0, len, 6, "01020304"), "no room to grow");
        assertEquals(-1, add(exact, 0, len, 3, "01"), "id 3 is already there");
        assertEquals(-1, add(exact, 0, len, 0, "01"), "id 0 is padding");
        assertEquals(-1, add(exact, 0, len, 256, "01"));
        assertEquals(-1, packet.addExtension(9, new byte[256], 0, 256), "too long for any form");
        assertEquals(-1, packet.addExtension(9, new byte[2], 1, 2), "outside its array");
        assertArrayEquals(copy, exact);
        byte[] stop = room("9060" + "0001" + "00000001" + "00000002" + "bede0001" + "f0000000" + "bb", 0, 40);
        assertEquals(-1, add(stop, 0, 21, 2, "01"), "RFC 8285 §4.2: id 15 stops processing");
        byte[] foreign = room("9060" + "0001" + "00000001" + "00000002" + "abcd0001" + "01020304" + "bb", 0, 40);
        assertEquals(-1, add(foreign, 0, 21, 2, "01"), "not an RFC 8285 profile");
        assertEquals(-1, new RtpPacket().addExtension(1, new byte[1], 0, 1), "never wrapped");
    }

    /** Found by fuzzing: a one-byte element with the reserved id 0 used to become a two-byte "padding" byte. */
    @Test
    void convertingDropsElementsWithTheReservedIdZero() {
        // id 2 len 3, padding, then 0x03: id 0 with 4 data bytes, padding.
        byte[] buf = room("9060" + "0001" + "00000001" + "00000002" + "bede0003" + "22abcdef" + "00" + "0300000004"
                + "0000" + "aabb", 0, 64);
        int n = add(buf, 0, 30, 225, "0102");
        assertEquals(34, n);
        // Sized before the id-0 element is dropped, so the block has room to spare (it never shrinks).
        assertEquals("9060000100000001" + "00000002" + "10000004" + "0203abcdef" + "e1020102" + "00000000000000"
                + "aabb", HEX.formatHex(buf, 0, n));
        assertEquals(2, RtpPacket.elementLength(packet.findExtension(225)));
        assertEquals(3, RtpPacket.elementLength(packet.findExtension(2)));
    }
}
