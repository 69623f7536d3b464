package dev.sfu.sctp.chunk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sfu.sctp.SctpPacket;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * SCTP packets that Chromium 156 (dcSCTP) sent to the server during {@code DataChannelBrowserTest}, taken
 * from the decrypted DTLS application data on Dec 7, 2026 (a print in DataRelay.receive, since removed):
 * each parses, its CRC32c is Chromium's, and its fields read as dcSCTP wrote them.
 */
class ChromiumCapturedPacketsTest {
    private static byte[] hex(String h) {
        return HexFormat.of().parseHex(h);
    }

    private static SctpPacket parse(byte[] b) {
        assertEquals(SctpPacket.storedChecksum(b, 0), SctpPacket.checksum(b, 0, b.length), "Chromium's CRC32c");
        SctpPacket p = SctpPacket.parse(b, 0, b.length);
        assertEquals(5000, p.sourcePort);
        return p;
    }

    /** Its INIT: what dcSCTP supports, without the experimental sctp-init extras. */
    @Test
    void init() {
        SctpPacket p = parse(hex("1388138800000000dd5087d10100001ede30a95900500000ffffffffd3cd09ca"
                + "c00000048008000682c00000"));
        InitChunk init = assertInstanceOf(InitChunk.class, p.chunks.get(0));
        assertEquals(0, p.verificationTag, "an INIT carries tag 0");
        assertTrue(init.forwardTsnSupported, "partial reliability (RFC 3758)");
        assertTrue(init.supports(ChunkType.RE_CONFIG), "stream reset (RFC 6525)");
    }

    /** Its INIT-ACK, when our INIT crossed its own (both sides initiate: simultaneous open). */
    @Test
    void initAck() {
        SctpPacket p = parse(hex("1388138861d5e9fc10bf4016020000520e27fe3f00500000ffffffff30804097"
                + "00070034646353435450303061d5e9fc0e27fe3fad24a8e33080409700100000"
                + "00000000000000000100010000000000ffffffffc00000048008000682c00000"));
        InitChunk ack = assertInstanceOf(InitChunk.class, p.chunks.get(0));
        assertEquals(ChunkType.INIT_ACK, ack.type());
        assertTrue(ack.stateCookie != null && ack.stateCookie.length > 0, "a state cookie to echo");
    }

    @Test
    void cookieEcho() {
        SctpPacket p = parse(hex("138813888610f5b5083f6e480a0000460100000ef81776defede30a959d3cd09"
                + "ca00500000ffffffff038610f5b5083ffacf97cb8710a6f5bb95c574d412a875"
                + "91c969835fe2197cb45f455f3c09380dc9430000"));
        CookieEchoChunk echo = assertInstanceOf(CookieEchoChunk.class, p.chunks.get(0));
        assertTrue(echo.cookie.length > 0);
    }

    @Test
    void cookieAck() {
        SctpPacket p = parse(hex("13881388179723e09b070a3d0b000004"));
        assertEquals(ChunkType.COOKIE_ACK, p.chunks.get(0).type());
    }

    /** A DATA chunk carrying a DCEP DATA_CHANNEL_OPEN (PPID 50, message type 3). */
    @Test
    void dataChannelOpen() {
        SctpPacket p = parse(hex("13881388179723e033b25ae000030020103bc1e9000000000000003203000100"
                + "000000000004000063686174"));
        DataChunk data = assertInstanceOf(DataChunk.class, p.chunks.get(0));
        assertEquals(50, data.ppid, "WebRTC DCEP");
        assertEquals(3, data.payload[0], "DATA_CHANNEL_OPEN");
        assertTrue(data.beginning && data.ending, "one fragment");
        assertFalse(data.unordered, "DCEP goes ordered");
        assertEquals(0, data.streamId % 2, "the DTLS client's channels take even stream ids");
    }

    @Test
    void sack() {
        SctpPacket p = parse(hex("13881388179723e079c08ead03000010360394b30048000000000000"));
        SackChunk sack = assertInstanceOf(SackChunk.class, p.chunks.get(0));
        assertTrue(sack.aRwnd > 0);
        assertEquals(0, sack.gapStarts.length, "nothing missing on loopback");
    }

    /** dcSCTP bundles a SACK with the DATA that follows it. */
    @Test
    void sackBundledWithData() {
        SctpPacket p = parse(hex("1388138861d5e9fcdb8e245603000010ad24a8e4004800000000000000030011"
                + "30804098000100000000003202000000"));
        assertEquals(2, p.chunks.size());
        assertInstanceOf(SackChunk.class, p.chunks.get(0));
        assertInstanceOf(DataChunk.class, p.chunks.get(1));
    }

    /**
     * Chromium's answer when the server closed the channel it had opened for a participant who left: a
     * RE-CONFIG response (RFC 6525) saying the reset was performed.
     */
    @Test
    void streamResetResponse() {
        SctpPacket p = parse(hex("13881388179723e04697ae89820000100010000c360394b300000001"));
        ReConfigChunk reconfig = assertInstanceOf(ReConfigChunk.class, p.chunks.get(0));
        ReConfigChunk.Response response = assertInstanceOf(ReConfigChunk.Response.class, reconfig.params.get(0));
        assertEquals(ReConfigChunk.RESULT_SUCCESS_PERFORMED, response.result());
    }

    /**
     * Each packet cut short anywhere after its common header reads as the chunks that fit, the cut one
     * refused as truncated, and never throws.
     */
    @Test
    void everyPrefixOfEveryCapturedPacketIsSafe() {
        for (String h : new String[] {"1388138800000000dd5087d10100001ede30a95900500000ffffffffd3cd09cac00000048008000682c00000", "13881388179723e033b25ae000030020103bc1e9000000000000003203000100000000000004000063686174", "1388138861d5e9fcdb8e245603000010ad24a8e400480000000000000003001130804098000100000000003202000000", "13881388179723e04697ae89820000100010000c360394b300000001"}) {
            byte[] b = hex(h);
            int whole = SctpPacket.parse(b, 0, b.length).chunks.size();
            for (int n = 12; n < b.length; n++) {
                SctpPacket cut = SctpPacket.parse(b, 0, n);
                assertTrue(cut.chunks.size() < whole || n >= b.length - 3, "a cut chunk is not read (length " + n + ")");
            }
            assertArrayEquals(b, hex(h));
        }
    }
}
