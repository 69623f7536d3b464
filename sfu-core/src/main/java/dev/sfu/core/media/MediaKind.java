package dev.sfu.core.media;

import java.util.Locale;

/** What a track carries: an SDP media type ({@code m=audio}, {@code m=video}; RFC 8866 §5.14). */
public enum MediaKind {
    AUDIO,
    VIDEO;

    /** The name SDP and the signaling protocol use: {@code "audio"} or {@code "video"}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The kind of an SDP media type, or null for any other (application, text, ...). */
    public static MediaKind ofWireName(String media) {
        for (MediaKind kind : values()) {
            if (kind.wireName().equals(media)) {
                return kind;
            }
        }
        return null;
    }
}
