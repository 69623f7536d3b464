package dev.sfu.core.media;

import dev.sfu.rtp.SequenceNumbers;
import java.util.ArrayList;
import java.util.List;

/**
 * Media one endpoint publishes: an audio track, or a video track with one to three simulcast encodings.
 * Owned by its conference's media thread.
 */
public final class Track {
    private final String trackId;
    private final String endpointId;
    private final String streamId;
    private final MediaKind kind;
    private final boolean audio;
    private final String mid;
    private final MediaFormat format;
    private final List<String> rids;
    private final ArrayList<Subscription> subscriptions = new ArrayList<>();
    private final KeyframeRequester keyframeRequester;
    private long lastKeyframeRequestNanos = Long.MIN_VALUE / 2;
    /** Publisher SSRC of each encoding as learned from its packets (0 = not seen yet). */
    private final int[] encodingSsrcs;
    /** Publisher extension id → the id subscribers negotiated (0 = removed), applied to every copy. */
    private byte[] extensionMap = new byte[256];
    /** When each encoding last delivered a packet, and the height its last keyframe declared (-1 unknown). */
    private final long[] lastPacketNanos;
    private final int[] heights;
    /** Highest publisher sequence number seen per encoding (-1 = none), for counting upstream loss. */
    private final int[] highestSequence;
    /** Per encoding, for answering NACKs (video only; made on the first packet). */
    private final PacketCache[] caches;
    private CacheBudget cacheBudget = UNLIMITED;
    private static final CacheBudget UNLIMITED = new CacheBudget(Long.MAX_VALUE);
    /** Bytes received per encoding since the last {@link #updateBitrates}, and the rates then measured. */
    private final long[] bytesSinceUpdate;
    private final long[] bitrates;
    private long lastBitrateUpdateNanos = Long.MIN_VALUE;
    /** Where the media comes from (camera, microphone, screen, screen-audio), as its publisher said. */
    private String source;
    /** Muted by its owner or the server: the router forwards none of its packets. Media thread. */
    private boolean muted;
    /** An encoding silent this long is treated as stopped: subscriptions fall back to another. */
    static final long ACTIVE_NANOS = 1_000_000_000L;

    /** How a track asks its publisher for a keyframe (PLI on the publish transport). */
    @FunctionalInterface
    public interface KeyframeRequester {
        void requestKeyframe(int publisherSsrc);
    }

    public Track(String trackId, String endpointId, String streamId, MediaKind kind, String mid, MediaFormat format,
            List<String> rids, KeyframeRequester keyframeRequester) {
        this.trackId = trackId;
        this.endpointId = endpointId;
        this.streamId = streamId;
        this.kind = kind;
        this.audio = kind == MediaKind.AUDIO;
        this.mid = mid;
        this.format = format;
        this.rids = List.copyOf(rids);
        this.keyframeRequester = keyframeRequester;
        this.encodingSsrcs = new int[Math.max(1, rids.size())];
        this.lastPacketNanos = new long[encodingSsrcs.length];
        this.heights = new int[encodingSsrcs.length];
        this.highestSequence = new int[encodingSsrcs.length];
        java.util.Arrays.fill(highestSequence, -1);
        this.caches = new PacketCache[encodingSsrcs.length];
        this.bytesSinceUpdate = new long[encodingSsrcs.length];
        this.bitrates = new long[encodingSsrcs.length];
        java.util.Arrays.fill(heights, -1);
        java.util.Arrays.fill(lastPacketNanos, Long.MIN_VALUE / 2);
    }

    /**
     * Notes a packet of an encoding (media thread, every packet): whether it starts a keyframe, and
     * remembers the encoding's frame height from keyframes.
     */
    public boolean onPacket(int encoding, long nowNanos, byte[] buf, int payloadOffset, int payloadLength) {
        lastPacketNanos[encoding] = nowNanos;
        bytesSinceUpdate[encoding] += payloadLength + RTP_OVERHEAD;
        Codec codec = format.codec();
        boolean keyframe = Keyframes.startsKeyframe(codec, buf, payloadOffset, payloadLength);
        if (keyframe && codec != Codec.OPUS) {
            int height = Keyframes.height(codec, buf, payloadOffset, payloadLength);
            if (height > 0) {
                heights[encoding] = height;
            }
        }
        return keyframe;
    }

    /**
     * Notes a publisher sequence number of an encoding; returns how many packets its gap from the highest
     * one so far says were lost on the way to the server (0 for in-order or late packets).
     */
    public int lostBefore(int encoding, int sequence) {
        int highest = highestSequence[encoding];
        if (highest < 0) {
            highestSequence[encoding] = sequence;
            return 0;
        }
        int gap = SequenceNumbers.diff16(highest, sequence);
        if (gap <= 0) {
            return 0; // late or repeated
        }
        highestSequence[encoding] = sequence;
        return Math.min(gap - 1, 1000);
    }

    /** Keeps a video packet for retransmission. */
    public void cache(int encoding, byte[] buf, int off, int len, int sequence, long nowNanos) {
        if (caches[encoding] == null) {
            caches[encoding] = new PacketCache(cacheBudget);
        }
        caches[encoding].put(buf, off, len, sequence, nowNanos);
    }

    /** Where this track's caches take their memory from (the process's budget; unlimited by default). */
    public void setCacheBudget(CacheBudget budget) {
        this.cacheBudget = budget;
    }

    /** The track is gone: its caches give their memory back. */
    public void releaseCaches() {
        for (int e = 0; e < caches.length; e++) {
            if (caches[e] != null) {
                caches[e].release();
                caches[e] = null;
            }
        }
    }

    /** The cache of an encoding, or null before its first video packet. */
    public PacketCache cache(int encoding) {
        return encoding >= 0 && encoding < caches.length ? caches[encoding] : null;
    }

    /** Publisher header-extension id → subscriber id (0 = remove), per RFC 8285 id. */
    public byte[] extensionMap() {
        return extensionMap;
    }

    public void setExtensionMap(byte[] extensionMap) {
        this.extensionMap = extensionMap;
    }

    /** RTP header, SRTP tag, UDP and IP: what a forwarded packet costs beyond its payload. */
    private static final int RTP_OVERHEAD = 12 + 10 + 8 + 20;

    /**
     * Measures each encoding's bitrate over the time since the last call, smoothed (the conference
     * calls it a few times a second); a frame's worth of burstiness should not flip layers.
     */
    public void updateBitrates(long nowNanos) {
        if (lastBitrateUpdateNanos != Long.MIN_VALUE && nowNanos - lastBitrateUpdateNanos > 0) {
            long elapsed = nowNanos - lastBitrateUpdateNanos;
            for (int e = 0; e < bitrates.length; e++) {
                long measured = bytesSinceUpdate[e] * 8_000_000_000L / elapsed;
                bitrates[e] = bitrates[e] == 0 ? measured : (bitrates[e] * 3 + measured) / 4;
            }
        }
        java.util.Arrays.fill(bytesSinceUpdate, 0);
        lastBitrateUpdateNanos = nowNanos;
    }

    /** An encoding's recent bitrate in bits per second (0 until measured). */
    public long bitrate(int encoding) {
        return bitrates[encoding];
    }

    public boolean isActive(int encoding, long nowNanos) {
        return nowNanos - lastPacketNanos[encoding] < ACTIVE_NANOS;
    }

    /**
     * The height of an encoding: from its last keyframe, else estimated from another layer's by the usual
     * simulcast ratio (each layer twice the one below), else -1.
     */
    public int height(int encoding) {
        if (heights[encoding] > 0) {
            return heights[encoding];
        }
        for (int k = 0; k < heights.length; k++) {
            if (heights[k] > 0) {
                int shift = encoding - k;
                return shift >= 0 ? heights[k] << shift : heights[k] >> -shift;
            }
        }
        return -1;
    }

    public String source() {
        return source != null ? source : audio ? "microphone" : "camera";
    }

    public void setSource(String source) {
        this.source = source;
    }

    public boolean isMuted() {
        return muted;
    }

    /**
     * Mutes or unmutes; on unmute a video track asks its publisher for a keyframe at once, since its
     * subscribers have had nothing to decode from since the mute.
     */
    public void setMuted(boolean muted, long nowNanos) {
        boolean unmuted = this.muted && !muted;
        this.muted = muted;
        if (unmuted && !audio) {
            lastKeyframeRequestNanos = nowNanos;
            for (int i = 0; i < encodingSsrcs.length; i++) {
                if (encodingSsrcs[i] != 0) {
                    keyframeRequester.requestKeyframe(encodingSsrcs[i]);
                }
            }
        }
    }

    public String trackId() {
        return trackId;
    }

    public String endpointId() {
        return endpointId;
    }

    public String streamId() {
        return streamId;
    }

    public MediaKind kind() {
        return kind;
    }

    /** Decided once: the per-packet path asks this instead of comparing strings. */
    public boolean isAudio() {
        return audio;
    }

    public String mid() {
        return mid;
    }

    public MediaFormat format() {
        return format;
    }

    public List<String> rids() {
        return rids;
    }

    public int encodingCount() {
        return encodingSsrcs.length;
    }

    /**
     * Subscriptions currently fed by this track: the {@link Router}'s fan-out table, which only the
     * router changes; iterated by index on the hot path (no iterator).
     */
    ArrayList<Subscription> subscriptions() {
        return subscriptions;
    }

    /** How many subscribers this track is forwarded to now. */
    public int subscriberCount() {
        return subscriptions.size();
    }

    /** The {@code i}-th subscription fed by this track ({@code 0 <= i < subscriberCount()}). */
    public Subscription subscription(int i) {
        return subscriptions.get(i);
    }

    public void learnEncodingSsrc(int encoding, int ssrc) {
        encodingSsrcs[encoding] = ssrc;
    }

    /** The publisher SSRC of an encoding, 0 while unknown. */
    public int encodingSsrc(int encoding) {
        return encodingSsrcs[encoding];
    }

    /**
     * Asks the publisher for a keyframe of an encoding, at most once per {@code minIntervalNanos} for
     * the whole track however many subscribers ask.
     *
     * @return whether a request went out
     */
    public boolean requestKeyframe(int encoding, long nowNanos, long minIntervalNanos) {
        if (audio || nowNanos - lastKeyframeRequestNanos < minIntervalNanos) {
            return false;
        }
        int ssrc = encodingSsrcs[Math.min(encoding, encodingSsrcs.length - 1)];
        if (ssrc == 0) {
            return false;
        }
        lastKeyframeRequestNanos = nowNanos;
        keyframeRequester.requestKeyframe(ssrc);
        return true;
    }
}
