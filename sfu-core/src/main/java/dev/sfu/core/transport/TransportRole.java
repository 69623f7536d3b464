package dev.sfu.core.transport;

import java.util.Locale;

/**
 * The two transports of an endpoint: {@code publish} carries what the client sends (the client offers),
 * {@code subscribe} what it receives (the server offers), so neither side ever faces glare.
 */
public enum TransportRole {
    PUBLISH,
    SUBSCRIBE;

    /** The name the signaling protocol uses: {@code "publish"} or {@code "subscribe"}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The role a protocol name stands for, or null for anything else. */
    public static TransportRole ofWireName(String name) {
        for (TransportRole role : values()) {
            if (role.wireName().equals(name)) {
                return role;
            }
        }
        return null;
    }
}
