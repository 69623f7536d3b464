package dev.sfu.signaling.fuzz;

import com.code_intelligence.jazzer.junit.DictionaryFile;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.sfu.core.media.Codec;
import dev.sfu.core.media.MediaKind;
import dev.sfu.core.media.MediaFormat;
import dev.sfu.core.sdp.DtlsSetup;
import dev.sfu.core.sdp.PublishAnswer;
import dev.sfu.core.sdp.PublishNegotiator;
import dev.sfu.core.sdp.SdpException;
import dev.sfu.core.sdp.SessionDescription;
import dev.sfu.core.sdp.SubscribeAnswer;
import dev.sfu.core.sdp.SubscribeSlot;
import dev.sfu.core.sdp.TransportParameters;
import dev.sfu.dtls.SrtpSession;
import dev.sfu.dtls.srtp.SrtpProfile;
import dev.sfu.ice.PacketKind;
import dev.sfu.rtp.HeaderExtensions;
import dev.sfu.rtp.RtpPacket;
import dev.sfu.rtp.SdesItemExtension;
import dev.sfu.rtp.codec.Av1Payload;
import dev.sfu.rtp.codec.H264Nal;
import dev.sfu.rtp.codec.Vp8Descriptor;
import dev.sfu.rtp.codec.Vp9Descriptor;
import dev.sfu.rtp.rtcp.App;
import dev.sfu.rtp.rtcp.Bye;
import dev.sfu.rtp.rtcp.Fir;
import dev.sfu.rtp.rtcp.GenericNack;
import dev.sfu.rtp.rtcp.Pli;
import dev.sfu.rtp.rtcp.ReceiverReport;
import dev.sfu.rtp.rtcp.Remb;
import dev.sfu.rtp.rtcp.ReportBlock;
import dev.sfu.rtp.rtcp.RtcpCompoundIterator;
import dev.sfu.rtp.rtcp.Sdes;
import dev.sfu.rtp.rtcp.SenderReport;
import dev.sfu.rtp.rtcp.TransportCcFeedback;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * Coverage-guided fuzz targets (Jazzer) for the parsers that read what the network and clients send:
 * RTP and its header extensions, RTCP, the codec payload descriptors, SDP, and the media port's
 * demultiplexer with SRTP/SRTCP behind it. The signaling messages have their own target in
 * {@code dev.sfu.signaling.SignalingFuzzTargets} (it needs package-private access).
 *
 * <p>The rule every target checks: a parser reports bad input as invalid (false, -1, a negative error
 * code, {@link SdpException}) and never throws an unchecked exception out of its public API. The binary
 * readers also must not read outside the input: each input is read from an exact-size array (a read past
 * its end throws) and from two arrays that surround it with different bytes (the answers must match).
 *
 * <p>By default ({@code mvn test}) each target replays its committed inputs from
 * {@code src/test/resources/dev/sfu/signaling/fuzz/ParserFuzzTargetsInputs/<target>/}; {@code mvn verify}
 * also fuzzes each for a bounded time (see docs/security.md, "Fuzzing").
 */
class ParserFuzzTargets {
    private static final HexFormat HEX = HexFormat.of();
    /** Bytes of foreign data around an input in the surrounded copies. */
    private static final int MARGIN = 7;

    private final Digest digest = new Digest();
    private final RtpPacket packet = new RtpPacket();
    private final RtcpCompoundIterator iterator = new RtcpCompoundIterator();
    private final Sdes.Reader sdes = new Sdes.Reader();
    private final long[] arrivals = new long[65536];

    // ---------------------------------------------------------------------------------------- RTP

    @FuzzTest(maxDuration = "10s")
    void rtp(byte[] input) {
        readEverywhere(input, this::readRtp);
        if (input.length >= RtpPacket.FIXED_HEADER_LENGTH) {
            writers(input);
        }
    }

    private void readRtp(byte[] buf, int off, int len) {
        digest.add(RtpPacket.isRtp(buf, off, len));
        digest.add(RtpPacket.isRtcp(buf, off, len));
        boolean valid = packet.wrap(buf, off, len);
        digest.add(valid);
        if (!valid) {
            return;
        }
        digest.add(packet.version() + packet.csrcCount() + packet.payloadType() + packet.sequenceNumber());
        digest.add(packet.timestamp() + packet.ssrc() + packet.headerLength() + packet.payloadOffset() - off);
        digest.add(packet.payloadLength() + packet.paddingLength() + packet.extensionProfile());
        digest.add(packet.marker() || packet.padding() || packet.hasExtension());
        check(packet.offset() == off && packet.length() == len && packet.buffer() == buf, "view bounds");
        check(packet.payloadLength() >= 0 && packet.payloadOffset() + packet.payloadLength() <= off + len,
                "payload outside the packet");
        for (int i = 0; i < packet.csrcCount(); i++) {
            digest.add(packet.csrc(i));
        }
        // One-byte ids 1..14, the two-byte form's 15..255, and ids no element can have.
        for (int id : new int[] {-1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 100, 255, 256}) {
            long position = packet.findExtension(id);
            if (position >= 0) {
                int at = RtpPacket.elementOffset(position);
                int n = RtpPacket.elementLength(position);
                check(at >= off + RtpPacket.FIXED_HEADER_LENGTH && at + n <= off + packet.headerLength(),
                        "extension element outside the header");
                digest.add(position - ((long) off << 16));
            } else {
                digest.add(-1);
            }
            String value = SdesItemExtension.read(packet, id);
            digest.add(value == null ? -1 : value.hashCode());
            digest.add(SdesItemExtension.equals(packet, id, new byte[] {'h'}));
            extensionValues(buf, RtpPacket.elementOffset(position), RtpPacket.elementLength(position));
        }
        payloads(buf, packet.payloadOffset(), packet.payloadLength());
    }

    private void extensionValues(byte[] buf, int off, int len) {
        digest.add(HeaderExtensions.absSendTime(buf, off, len));
        digest.add(HeaderExtensions.transportSequence(buf, off, len));
        digest.add(HeaderExtensions.audioLevel(buf, off, len));
        digest.add(HeaderExtensions.voiceActivity(buf, off, len));
        digest.add(HeaderExtensions.videoRotation(buf, off, len));
        digest.add(HeaderExtensions.videoFlip(buf, off, len));
        digest.add(HeaderExtensions.videoBackCamera(buf, off, len));
        digest.add(HeaderExtensions.ddStartOfFrame(buf, off, len));
        digest.add(HeaderExtensions.ddEndOfFrame(buf, off, len));
        digest.add(HeaderExtensions.ddTemplateId(buf, off, len));
        digest.add(HeaderExtensions.ddFrameNumber(buf, off, len));
        digest.add(HeaderExtensions.ddHasExtendedFields(buf, off, len));
    }

    /**
     * The in-place writers on copies: re-mapping ids, removing every element, adding one (the element must
     * then be found with its data, and the payload must be unchanged).
     */
    private void writers(byte[] input) {
        int len = input.length;
        byte[] buf = Arrays.copyOf(input, len + 300);
        if (!packet.wrap(buf, 0, len)) {
            return;
        }
        byte[] payload = Arrays.copyOfRange(buf, packet.payloadOffset(), packet.payloadOffset() + packet.payloadLength());
        // Re-map with a map derived from the input (some ids kept, some moved, some removed).
        byte[] idMap = new byte[1 + (input[len - 1] & 0xff)];
        for (int i = 0; i < idMap.length; i++) {
            idMap[i] = (byte) ((i * 7 + input[i % len]) & 0xff);
        }
        packet.remapExtensionIds(idMap);
        check(packet.wrap(buf, 0, len), "re-mapping broke the packet");
        check(Arrays.equals(payload, 0, payload.length, buf, packet.payloadOffset(),
                packet.payloadOffset() + packet.payloadLength()), "re-mapping changed the payload");

        // Removal: an all-zero map turns every element into padding.
        System.arraycopy(input, 0, buf, 0, len);
        packet.wrap(buf, 0, len);
        if (packet.remapExtensionIds(new byte[0])) {
            check(packet.wrap(buf, 0, len), "removal broke the packet");
            for (int id = 1; id <= 255; id++) {
                check(packet.findExtension(id) < 0, "element " + id + " survived its removal");
            }
        }

        // Adding an element under an id and with data taken from the input.
        System.arraycopy(input, 0, buf, 0, len);
        Arrays.fill(buf, len, buf.length, (byte) 0);
        packet.wrap(buf, 0, len);
        int id = 1 + ((input[1] & 0xff) % 255);
        int dataLength = (input[2] & 0xff) % 20;
        byte[] data = Arrays.copyOf(input, Math.max(dataLength, 1));
        int added = packet.addExtension(id, data, 0, dataLength);
        if (added > 0) {
            check(added >= len && added <= buf.length && packet.length() == added, "addExtension length");
            long position = packet.findExtension(id);
            check(position >= 0, "added element " + id + " not found");
            check(RtpPacket.elementLength(position) == dataLength, "added element has another length");
            int at = RtpPacket.elementOffset(position);
            check(Arrays.equals(data, 0, dataLength, buf, at, at + dataLength), "added element has other data");
            check(Arrays.equals(payload, 0, payload.length, buf, packet.payloadOffset(),
                    packet.payloadOffset() + packet.payloadLength()), "adding an element changed the payload");
        } else {
            check(added == -1, "addExtension returned " + added);
        }
    }

    // --------------------------------------------------------------------------------------- RTCP

    @FuzzTest(maxDuration = "10s")
    void rtcp(byte[] input) {
        readEverywhere(input, this::readRtcp);
    }

    private void readRtcp(byte[] buf, int off, int len) {
        rtcpPacket(buf, off, len); // every reader checks for itself, without the iterator
        iterator.reset(buf, off, len);
        while (iterator.next()) {
            int at = iterator.packetOffset();
            int n = iterator.packetLength();
            check(at >= off && n >= 4 && at + n <= off + len, "iterator outside the compound packet");
            digest.add(at - off);
            digest.add(n + iterator.packetType() + iterator.countOrFormat() + iterator.senderSsrc() + iterator.mediaSsrc());
            digest.add(iterator.isKeyframeRequest());
            digest.add(iterator.keyframeSsrc());
            if (SenderReport.is(iterator)) {
                digest.add(SenderReport.ntpTimestamp(buf, at) + SenderReport.rtpTimestamp(buf, at));
                digest.add(SenderReport.packetCount(buf, at) + SenderReport.octetCount(buf, at));
            }
            digest.add(ReceiverReport.is(iterator));
            if (GenericNack.is(iterator)) {
                for (int i = 0; i < GenericNack.entries(n); i++) {
                    digest.add(GenericNack.pid(buf, at, i));
                    digest.add(GenericNack.blp(buf, at, i));
                }
            }
            if (Fir.is(iterator)) {
                digest.add(Fir.entries(buf, at, n));
            }
            digest.add(Remb.is(iterator));
            rtcpPacket(buf, at, n);
        }
    }

    private void rtcpPacket(byte[] buf, int off, int len) {
        int blocks = ReportBlock.count(buf, off, len);
        digest.add(blocks);
        for (int i = -1; i <= Math.max(blocks, 0); i++) {
            int block = ReportBlock.offset(buf, off, len, i);
            if (block >= 0) {
                check(block + ReportBlock.LENGTH <= off + len, "report block outside the packet");
                digest.add(ReportBlock.ssrc(buf, block) + ReportBlock.fractionLost(buf, block)
                        + ReportBlock.cumulativeLost(buf, block) + ReportBlock.extendedHighestSequence(buf, block)
                        + ReportBlock.jitter(buf, block) + ReportBlock.lastSr(buf, block)
                        + ReportBlock.delaySinceLastSr(buf, block));
            }
        }
        digest.add(ReceiverReport.senderSsrc(buf, off, len));
        if (sdes.reset(buf, off, len)) {
            while (sdes.nextChunk()) {
                digest.add(sdes.ssrc());
                while (sdes.nextItem()) {
                    check(sdes.itemOffset() >= off && sdes.itemOffset() + sdes.itemLength() <= off + len,
                            "SDES item outside the packet");
                    digest.add(sdes.itemType() + sdes.itemLength() + sdes.itemOffset() - off);
                    digest.add(new String(buf, sdes.itemOffset(), sdes.itemLength(), StandardCharsets.UTF_8).hashCode());
                }
            }
        }
        int sources = Bye.sourceCount(buf, off, len);
        digest.add(sources);
        for (int i = 0; i < sources; i++) {
            digest.add(Bye.ssrc(buf, off, i));
        }
        int reason = Bye.reasonOffset(buf, off, len);
        int reasonLength = Bye.reasonLength(buf, off, len);
        if (reason >= 0) {
            check(reasonLength >= 0 && reason + reasonLength <= off + len, "BYE reason outside the packet");
            digest.add(new String(buf, reason, reasonLength, StandardCharsets.UTF_8).hashCode());
        }
        digest.add(reason < 0 ? -1 : reason - off);
        digest.add(reasonLength);
        digest.add(App.subtype(buf, off, len) + App.ssrc(buf, off, len) + App.name(buf, off, len));
        int data = App.dataOffset(buf, off, len);
        int dataLength = App.dataLength(buf, off, len);
        if (data >= 0) {
            check(dataLength >= 0 && data + dataLength <= off + len, "APP data outside the packet");
        }
        digest.add(data < 0 ? -1 : data - off);
        digest.add(dataLength);
        int entries = Fir.entries(buf, off, len);
        digest.add(entries);
        for (int i = 0; i < entries; i++) {
            digest.add(Fir.ssrc(buf, off, i) + Fir.sequenceNumber(buf, off, i));
        }
        int ssrcs = Remb.ssrcCount(buf, off, len);
        digest.add(ssrcs);
        digest.add(Remb.is(buf, off, len));
        digest.add(Remb.bitrate(buf, off, len));
        for (int i = 0; i < ssrcs; i++) {
            digest.add(Remb.ssrc(buf, off, i));
        }
        int count = TransportCcFeedback.parse(buf, off, len, arrivals);
        digest.add(count);
        check(count >= -1, "transport-cc parse returned " + count);
        for (int i = 0; i < count; i++) {
            digest.add(arrivals[i]);
        }
        // A PLI is only written, never parsed; the iterator's keyframe request reads it (above).
        digest.add(Pli.LENGTH);
    }

    // --------------------------------------------------------------------------- codec descriptors

    @FuzzTest(maxDuration = "10s")
    void codecDescriptors(byte[] input) {
        readEverywhere(input, this::payloads);
        // The writers keep the descriptor's structure: the readers answer the same afterwards.
        byte[] copy = input.clone();
        int pictureId = Vp8Descriptor.pictureId(copy, 0, copy.length);
        int length = Vp8Descriptor.descriptorLength(copy, 0, copy.length);
        if (Vp8Descriptor.setPictureId(copy, 0, copy.length, 0x5a5a)) {
            check(pictureId >= 0 && Vp8Descriptor.pictureId(copy, 0, copy.length) >= 0, "picture id vanished");
            check(Vp8Descriptor.descriptorLength(copy, 0, copy.length) == length, "setPictureId moved the payload");
        }
        int tl0 = Vp8Descriptor.tl0PicIdx(copy, 0, copy.length);
        if (Vp8Descriptor.setTl0PicIdx(copy, 0, copy.length, 0xa5)) {
            check(tl0 >= 0 && Vp8Descriptor.tl0PicIdx(copy, 0, copy.length) == 0xa5, "TL0PICIDX not rewritten");
        }
    }

    private void payloads(byte[] buf, int off, int len) {
        digest.add(Vp8Descriptor.descriptorLength(buf, off, len));
        digest.add(Vp8Descriptor.isStartOfFrame(buf, off, len));
        digest.add(Vp8Descriptor.isKeyframe(buf, off, len));
        digest.add(Vp8Descriptor.keyframeHeight(buf, off, len));
        digest.add(Vp8Descriptor.pictureId(buf, off, len));
        digest.add(Vp8Descriptor.tl0PicIdx(buf, off, len));
        digest.add(Vp8Descriptor.temporalLayerId(buf, off, len));
        digest.add(Vp9Descriptor.isStartOfFrame(buf, off, len));
        digest.add(Vp9Descriptor.isEndOfFrame(buf, off, len));
        digest.add(Vp9Descriptor.isKeyframe(buf, off, len));
        digest.add(H264Nal.isKeyframe(buf, off, len));
        digest.add(Av1Payload.isKeyframe(buf, off, len));
        digest.add(Av1Payload.containsSequenceHeader(buf, off, len));
        digest.add(Av1Payload.obuElementCount(buf, off, len));
        digest.add(Av1Payload.startsCodedVideoSequence(buf, off, len));
        digest.add(Av1Payload.continuesObu(buf, off, len));
        digest.add(Av1Payload.continuesInNextPacket(buf, off, len));
    }

    // ---------------------------------------------------------------------------------------- SDP

    private static final TransportParameters LOCAL = new TransportParameters("srvU", "serverpasswordserverpass",
            "sha-256", "AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99",
            DtlsSetup.ACTPASS, List.of("candidate:1 1 udp 2130706431 127.0.0.1 10000 typ host"));
    private static final List<SubscribeSlot> SLOTS = List.of(
            new SubscribeSlot("0", MediaKind.AUDIO, new SubscribeSlot.OfferedTrack("alice", "alice", "alice-0",
                    MediaFormat.canonical(Codec.OPUS, ""), 1111, -1)),
            new SubscribeSlot("1", MediaKind.VIDEO, new SubscribeSlot.OfferedTrack("alice", "alice", "alice-1",
                    MediaFormat.canonical(Codec.VP8, ""), 2222, 3333)),
            new SubscribeSlot("2", MediaKind.VIDEO, null));

    /**
     * The SDP parser, the publish negotiator (offer to answer) and the subscribe answer reader on the same
     * text. {@link SdpException} is the expected answer to bad input; the answer the negotiator writes
     * must itself parse.
     */
    @FuzzTest(maxDuration = "10s")
    @DictionaryFile(resourcePath = "sdp.dict")
    void sdp(byte[] input) {
        String text = new String(input, StandardCharsets.UTF_8);
        try {
            SessionDescription parsed = SessionDescription.parse(text);
            SessionDescription.parse(parsed.toString()); // what we write from it reads back
        } catch (SdpException expected) {
            // bad input, reported as such
        }
        try {
            PublishAnswer answer = PublishNegotiator.answer(text, LOCAL, "ep");
            check(answer.sdp() != null && answer.remote() != null && answer.tracks() != null, "incomplete answer");
            try {
                SessionDescription.parse(answer.sdp());
            } catch (SdpException e) {
                throw new AssertionError("the answer we wrote does not parse: " + e.getMessage() + "\n" + answer.sdp(), e);
            }
        } catch (SdpException expected) {
            // rejected offer
        }
        try {
            SubscribeAnswer answer = SubscribeAnswer.parse(text, SLOTS);
            check(answer.remote() != null && answer.acceptedMids() != null, "incomplete subscribe answer");
        } catch (SdpException expected) {
            // rejected answer
        }
    }

    // ------------------------------------------------------------------------------- demultiplexer

    private static final byte[] KEY_A = HEX.parseHex("000102030405060708090a0b0c0d0e0f");
    private static final byte[] KEY_B = HEX.parseHex("f0e0d0c0b0a090807060504030201000");
    private static final byte[] SALT_A = HEX.parseHex("a0a1a2a3a4a5a6a7a8a9aaabacad");
    private static final byte[] SALT_B = HEX.parseHex("b0b1b2b3b4b5b6b7b8b9babbbcbd");

    /**
     * What the media port does with a datagram (first byte: STUN, DTLS, SRTP/SRTCP, or drop) and, for
     * SRTP/SRTCP, what a transport does next: unprotect in place, as RTCP when the second byte is an RTCP
     * packet type (RFC 5761), else as RTP, under both profiles; then read the plaintext. Random bytes
     * fail authentication, so each input is also protected by a peer's session first: that must
     * unprotect to exactly the input, and a second time count as a replay.
     */
    @FuzzTest(maxDuration = "10s")
    void demultiplexer(byte[] input) {
        if (input.length == 0) {
            return;
        }
        int kind = PacketKind.classify(input[0]);
        check(kind == PacketKind.UNKNOWN || kind == PacketKind.STUN || kind == PacketKind.DTLS
                || kind == PacketKind.RTP, "unknown kind " + kind);
        if (kind != PacketKind.RTP) {
            return; // STUN goes to ice4j and DTLS to Bouncy Castle; the rest is dropped
        }
        boolean rtcp = input.length >= 2 && (input[1] & 0xff) >= 192 && (input[1] & 0xff) <= 223;
        for (SrtpProfile profile : SrtpProfile.values()) {
            SrtpSession ours = SrtpSession.create(profile, KEY_A, SALT_A, KEY_B, SALT_B);
            SrtpSession peer = SrtpSession.create(profile, KEY_B, SALT_B, KEY_A, SALT_A);

            // As received: almost always unauthentic, but every header path before the tag check runs.
            byte[] copy = Arrays.copyOf(input, input.length + SrtpSession.MAX_OVERHEAD);
            int plain = rtcp ? ours.unprotectRtcp(copy, 0, input.length) : ours.unprotectRtp(copy, 0, input.length);
            check(plain <= input.length, "unprotect grew the packet");
            check(plain >= SrtpSession.ERR_CIPHER, "unknown error " + plain);
            if (plain > 0) {
                readPlaintext(copy, plain, rtcp);
            }

            // As a peer would send it.
            byte[] sent = Arrays.copyOf(input, input.length + SrtpSession.MAX_OVERHEAD);
            int protectedLength = rtcp ? peer.protectRtcp(sent, 0, input.length) : peer.protectRtp(sent, 0, input.length);
            if (protectedLength < 0) {
                check(protectedLength >= SrtpSession.ERR_CIPHER, "unknown error " + protectedLength);
                continue;
            }
            check(protectedLength > input.length && protectedLength <= input.length + SrtpSession.MAX_OVERHEAD,
                    "protected length " + protectedLength);
            byte[] replay = Arrays.copyOf(sent, sent.length);
            plain = rtcp ? ours.unprotectRtcp(sent, 0, protectedLength) : ours.unprotectRtp(sent, 0, protectedLength);
            check(plain == input.length, profile + ": a packet the peer protected unprotects to " + plain
                    + " bytes, not " + input.length + ": " + HEX.formatHex(input));
            check(Arrays.equals(input, 0, input.length, sent, 0, plain), profile + ": round trip changed the packet");
            readPlaintext(sent, plain, rtcp);
            int again = rtcp ? ours.unprotectRtcp(replay, 0, protectedLength) : ours.unprotectRtp(replay, 0, protectedLength);
            check(again == SrtpSession.ERR_REPLAY, profile + ": a replayed packet gave " + again);
        }
    }

    private void readPlaintext(byte[] buf, int len, boolean rtcp) {
        if (rtcp) {
            readRtcp(buf, 0, len);
        } else {
            readRtp(buf, 0, len);
        }
    }

    // ------------------------------------------------------------------------------------ helpers

    private interface Reader {
        void read(byte[] buf, int off, int len);
    }

    /**
     * Reads the input from an exact-size array, then from two arrays that surround it with different
     * bytes: the answers (folded into a digest, offsets made relative) must not depend on the surroundings.
     */
    private void readEverywhere(byte[] input, Reader reader) {
        digest.reset();
        reader.read(input.clone(), 0, input.length);
        long exact = digest.value();
        long[] surrounded = new long[2];
        for (int k = 0; k < 2; k++) {
            byte[] buf = new byte[input.length + 2 * MARGIN];
            Arrays.fill(buf, (byte) (k == 0 ? 0x00 : 0xff));
            System.arraycopy(input, 0, buf, MARGIN, input.length);
            digest.reset();
            reader.read(buf, MARGIN, input.length);
            surrounded[k] = digest.value();
        }
        check(exact == surrounded[0] && exact == surrounded[1],
                "the answers depend on bytes outside the input " + HEX.formatHex(input));
    }

    private static void check(boolean condition, String what) {
        if (!condition) {
            throw new AssertionError(what);
        }
    }

    /** Folds the parsers' answers into one number, so that they are used and can be compared. */
    private static final class Digest {
        private long value;

        void reset() {
            value = 17;
        }

        long value() {
            return value;
        }

        void add(long v) {
            value = value * 31 + v;
        }

        void add(boolean v) {
            add(v ? 1 : 0);
        }
    }
}
