package dev.sfu.sctp.dcep;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DcepMessageTest {
    @Test
    void openRoundTripForEveryChannelType() {
        for (ChannelType t : ChannelType.values()) {
            DcepMessage.Open o = new DcepMessage.Open(t, 512, 3000, "chat é", "proto");
            byte[] b = o.encode();
            assertEquals(o, DcepMessage.parseOpen(b, 0, b.length));
        }
    }

    /** RFC 8832 §5.1 layout, byte by byte. */
    @Test
    void openWireFormat() {
        byte[] b = new DcepMessage.Open(ChannelType.PARTIAL_RELIABLE_REXMIT_UNORDERED, 256, 5, "ab", "c").encode();
        assertArrayEquals(HexFormat.of().parseHex("03" + "81" + "0100" + "00000005" + "0002" + "0001" + "6162" + "63"), b);
        assertArrayEquals(new byte[] {2}, DcepMessage.ack());
        assertTrue(DcepMessage.isAck(new byte[] {2}, 0, 1));
    }

    @Test
    void channelTypeMapping() {
        assertEquals(ChannelType.RELIABLE, ChannelType.of(true, -1, -1));
        assertEquals(ChannelType.RELIABLE_UNORDERED, ChannelType.of(false, -1, -1));
        assertEquals(ChannelType.PARTIAL_RELIABLE_REXMIT, ChannelType.of(true, 0, -1));
        assertEquals(ChannelType.PARTIAL_RELIABLE_TIMED_UNORDERED, ChannelType.of(false, -1, 100));
        assertNull(ChannelType.of(0x03));
    }

    @Test
    void brokenOpensAreRefusedNotThrown() {
        byte[] good = new DcepMessage.Open(ChannelType.RELIABLE, 0, 0, "label", "protocol").encode();
        for (int len = 0; len < good.length; len++) {
            byte[] prefix = Arrays.copyOf(good, len);
            assertNull(DcepMessage.parseOpen(prefix, 0, len));
        }
        Random rnd = new Random(3);
        for (int i = 0; i < 20_000; i++) {
            byte[] m = good.clone();
            m[rnd.nextInt(m.length)] = (byte) rnd.nextInt(256);
            DcepMessage.parseOpen(m, 0, m.length);
            byte[] r = new byte[rnd.nextInt(40)];
            rnd.nextBytes(r);
            DcepMessage.parseOpen(r, 0, r.length);
        }
        byte[] badType = good.clone();
        badType[1] = 0x05;
        assertNull(DcepMessage.parseOpen(badType, 0, badType.length));
    }
}
