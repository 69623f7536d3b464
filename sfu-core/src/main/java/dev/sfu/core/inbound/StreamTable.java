package dev.sfu.core.inbound;

import dev.sfu.core.media.InboundStream;
import dev.sfu.core.media.Track;
import dev.sfu.core.util.IntObjectMap;
import dev.sfu.rtp.RtpPacket;
import dev.sfu.rtp.SdesItemExtension;
import java.util.ArrayList;
import java.util.List;

/**
 * One publisher's streams by SSRC: those its SDP signalled, and those learned from packets that carry
 * its mid and rid (RFC 8852: rid simulcast signals no SSRCs). The inbound pipeline's stream lookup; also
 * the list of streams its receiver reports cover. Media thread only.
 */
final class StreamTable {
    private final IntObjectMap<InboundStream> bySsrc = new IntObjectMap<>();
    /** The publisher's primary (non-RTX) streams in the order they appeared. */
    private final List<InboundStream> primaries = new ArrayList<>();
    private long unroutable;
    /** SSRCs learned per track, and those refused beyond the limit. */
    private final java.util.Map<Track, Integer> learned = new java.util.HashMap<>();
    private long overLimit;

    /**
     * SSRCs a track may add beyond what its SDP signalled: each simulcast layer and its RTX, twice over
     * (a publisher may restart a layer with a new SSRC). Each learned SSRC is a table entry, a reception
     * state and a stream in every receiver report and NACK scan: without a bound, a publisher spraying
     * SSRCs with a valid mid would grow them all.
     */
    static int learnLimit(Track track) {
        return 4 * track.encodingCount();
    }

    /** The stream of a signalled or already learned SSRC, or null. Per packet. */
    InboundStream get(int ssrc) {
        return bySsrc.get(ssrc);
    }

    /**
     * The stream of a packet: a known SSRC, else one learned from its mid and rid (or repaired-rid)
     * extensions among {@code tracks}. Null, and counted, when it belongs to none.
     */
    InboundStream lookup(RtpPacket packet, List<Track> tracks, ExtensionIds ids, long nowNanos) {
        InboundStream stream = bySsrc.get(packet.ssrc());
        if (stream == null) {
            stream = learn(packet, tracks, ids, nowNanos);
            if (stream == null) {
                unroutable++;
            }
        }
        return stream;
    }

    /** Packets that belonged to no stream. */
    long unroutable() {
        return unroutable;
    }

    void bind(int ssrc, InboundStream stream) {
        bySsrc.put(ssrc, stream);
        if (!stream.rtx()) {
            stream.track().learnEncodingSsrc(stream.encoding(), ssrc);
            primaries.add(stream);
        }
    }

    /** Forgets every stream of a track the publisher stopped. */
    /** New SSRCs refused because their track had learned its limit. */
    long overLimit() {
        return overLimit;
    }

    void remove(Track track) {
        learned.remove(track);
        bySsrc.removeIf(stream -> stream.track() == track);
        primaries.removeIf(stream -> stream.track() == track);
    }

    List<InboundStream> primaries() {
        return primaries;
    }

    /**
     * An SSRC not signalled in SDP: find its track by the mid extension and its simulcast layer by the
     * rid (or repaired-rid) extension. A new layer that has subscribers starts with a keyframe request.
     * Allocates: it runs once per new SSRC.
     */
    private InboundStream learn(RtpPacket packet, List<Track> tracks, ExtensionIds ids, long nowNanos) {
        String mid = ids.mid() == 0 ? null : SdesItemExtension.read(packet, ids.mid());
        if (mid == null) {
            return null;
        }
        Track track = null;
        for (Track t : tracks) {
            if (t.mid().equals(mid)) {
                track = t;
            }
        }
        if (track == null) {
            return null;
        }
        String repaired = ids.repairedRid() == 0 ? null : SdesItemExtension.read(packet, ids.repairedRid());
        String rid = repaired != null ? repaired : ids.rid() == 0 ? null : SdesItemExtension.read(packet, ids.rid());
        int encoding = 0;
        if (!track.rids().isEmpty()) {
            encoding = rid == null ? -1 : track.rids().indexOf(rid);
            if (encoding < 0) {
                return null;
            }
        }
        int count = learned.getOrDefault(track, 0);
        if (count >= learnLimit(track)) {
            overLimit++;
            return null;
        }
        learned.put(track, count + 1);
        InboundStream stream = new InboundStream(track, encoding, repaired != null, packet.ssrc());
        bind(packet.ssrc(), stream);
        if (!stream.rtx() && track.subscriberCount() > 0) {
            track.requestKeyframe(encoding, nowNanos, 0);
        }
        return stream;
    }
}
