package dev.sfu.core.sdp;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One media section ({@code m=} line and what follows it, RFC 8866 §5.14), kept as its lines so that
 * what we do not interpret survives a round trip. Typed accessors read the attributes WebRTC uses.
 */
public final class MediaDescription {
    private String media;
    private int port;
    private String proto;
    private final List<String> formats;
    private final List<String> otherLines = new ArrayList<>(); // c=, b=, i=, k= lines, in order
    private final List<Attribute> attributes = new ArrayList<>();

    public MediaDescription(String media, int port, String proto, List<String> formats) {
        this.media = media;
        this.port = port;
        this.proto = proto;
        this.formats = new ArrayList<>(formats);
    }

    public String media() {
        return media;
    }

    public int port() {
        return port;
    }

    public void setPort(int port) {
        this.port = port;
    }

    public String proto() {
        return proto;
    }

    public List<String> formats() {
        return formats;
    }

    /** Lines other than a= and m= (connection, bandwidth...), without their line ending. */
    public List<String> otherLines() {
        return otherLines;
    }

    public List<Attribute> attributes() {
        return attributes;
    }

    public MediaDescription add(String name, String value) {
        attributes.add(new Attribute(name, value));
        return this;
    }

    public MediaDescription add(String name) {
        return add(name, null);
    }

    public Optional<String> attribute(String name) {
        for (Attribute a : attributes) {
            if (a.name().equals(name)) {
                return Optional.ofNullable(a.value() == null ? "" : a.value());
            }
        }
        return Optional.empty();
    }

    public boolean hasAttribute(String name) {
        return attribute(name).isPresent();
    }

    public List<String> attributes(String name) {
        List<String> values = new ArrayList<>();
        for (Attribute a : attributes) {
            if (a.name().equals(name)) {
                values.add(a.value() == null ? "" : a.value());
            }
        }
        return values;
    }

    public void removeAttributes(String name) {
        attributes.removeIf(a -> a.name().equals(name));
    }

    /** The mid (RFC 8843), or null. */
    public String mid() {
        return attribute("mid").orElse(null);
    }

    /** sendrecv, sendonly, recvonly or inactive; sendrecv when absent (RFC 8866 §6.7). */
    public String direction() {
        for (Attribute a : attributes) {
            switch (a.name()) {
                case "sendrecv", "sendonly", "recvonly", "inactive" -> {
                    return a.name();
                }
                default -> {
                }
            }
        }
        return "sendrecv";
    }

    /**
     * A port of zero marks a rejected or disabled m-line (RFC 8829 §5.3.1), except in a section marked
     * {@code a=bundle-only} (RFC 8843 §6): there port zero means "only inside the BUNDLE group". Firefox
     * offers every section after the first that way under the max-bundle policy; reading those as rejected
     * refused its video (and, behind a data channel, its audio too).
     */
    public boolean isRejected() {
        return port == 0 && !hasAttribute("bundle-only");
    }
}
