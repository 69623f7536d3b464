package dev.sfu.core.sdp;

import java.util.Locale;

/**
 * The {@code a=setup} attribute (RFC 4145, RFC 8842 §5.1): which side opens DTLS. An offer says
 * {@code actpass}; an answer chooses {@code active} (the DTLS client) or {@code passive} (the server).
 */
public enum DtlsSetup {
    ACTIVE,
    PASSIVE,
    ACTPASS;

    /** The attribute's value. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The setup an attribute value names, or null ({@code holdconn} and anything else are not supported). */
    public static DtlsSetup ofWireName(String value) {
        for (DtlsSetup setup : values()) {
            if (setup.wireName().equals(value)) {
                return setup;
            }
        }
        return null;
    }
}
